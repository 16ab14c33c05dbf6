package io.facestream.dataset;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;

/**
 * Camera effects applied to a painted {@link BufferedImage#TYPE_INT_RGB} image in place: optical blur, then
 * lighting (global gain, a directional gradient, a colour cast), then sensor noise.
 */
final class PhotoEffects {
    private PhotoEffects() {
    }

    static void apply(BufferedImage image, FaceVariation v) {
        if (image.getType() != BufferedImage.TYPE_INT_RGB) {
            throw new IllegalArgumentException("expected a TYPE_INT_RGB image, got type " + image.getType());
        }
        int width = image.getWidth();
        int height = image.getHeight();
        int[] px = ((DataBufferInt) image.getRaster().getDataBuffer()).getData();
        // blur radius follows the image size so a 112x112 image looks as soft as a 64x64 one
        int radius = Math.max(1, Math.round(width / 64f));
        int[] scratch = v.blurPasses() > 0 ? new int[px.length] : null;
        for (int i = 0; i < v.blurPasses(); i++) {
            boxBlur(px, scratch, width, height, radius, 1, width);
            boxBlur(scratch, px, height, width, radius, width, 1);
        }
        light(px, width, height, v);
    }

    /**
     * One box-blur pass along lines of {@code len} pixels {@code step} apart, {@code lines} lines {@code lineStep}
     * apart, reading {@code src} and writing {@code dst}; edges are clamped.
     */
    private static void boxBlur(int[] src, int[] dst, int len, int lines, int radius, int step, int lineStep) {
        int n = 2 * radius + 1;
        for (int line = 0; line < lines; line++) {
            int base = line * lineStep;
            int r = 0;
            int gr = 0;
            int b = 0;
            for (int k = -radius; k <= radius; k++) {
                int p = src[base + clampIndex(k, len) * step];
                r += (p >> 16) & 0xFF;
                gr += (p >> 8) & 0xFF;
                b += p & 0xFF;
            }
            for (int i = 0; i < len; i++) {
                dst[base + i * step] = (r / n) << 16 | (gr / n) << 8 | (b / n);
                int out = src[base + clampIndex(i - radius, len) * step];
                int in = src[base + clampIndex(i + radius + 1, len) * step];
                r += ((in >> 16) & 0xFF) - ((out >> 16) & 0xFF);
                gr += ((in >> 8) & 0xFF) - ((out >> 8) & 0xFF);
                b += (in & 0xFF) - (out & 0xFF);
            }
        }
    }

    private static int clampIndex(int i, int len) {
        return i < 0 ? 0 : Math.min(i, len - 1);
    }

    private static void light(int[] px, int width, int height, FaceVariation v) {
        double dx = Math.cos(v.gradientAngle()) * v.gradient() * 2 / width;
        double dy = Math.sin(v.gradientAngle()) * v.gradient() * 2 / height;
        double amp = v.noise() * Math.sqrt(3); // uniform noise with standard deviation v.noise()
        long state = v.noiseSeed() | 1;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                double gain = v.brightness() * Math.max(0.2, 1 + (x - width / 2.0) * dx + (y - height / 2.0) * dy);
                state = xorshift(state);
                int i = y * width + x;
                int p = px[i];
                int r = channel((p >> 16) & 0xFF, gain * v.castR(), state, amp);
                int g = channel((p >> 8) & 0xFF, gain * v.castG(), state >>> 21, amp);
                int b = channel(p & 0xFF, gain * v.castB(), state >>> 42, amp);
                px[i] = r << 16 | g << 8 | b;
            }
        }
    }

    private static int channel(int value, double gain, long bits, double amp) {
        double noise = ((bits & 0xFFFFF) / (double) 0xFFFFF * 2 - 1) * amp;
        long out = Math.round(value * gain + noise);
        return out < 0 ? 0 : (int) Math.min(out, 255);
    }

    private static long xorshift(long x) {
        x ^= x << 13;
        x ^= x >>> 7;
        x ^= x << 17;
        return x;
    }
}
