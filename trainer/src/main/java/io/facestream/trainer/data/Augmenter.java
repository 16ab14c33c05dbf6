package io.facestream.trainer.data;

import java.util.SplittableRandom;

/**
 * Training-time augmentation of one planar RGB image (values 0..255), in place: random horizontal flip, a small
 * random shift with edge replication, and brightness and contrast jitter. Thread-confined: give each worker
 * its own instance (it keeps a scratch buffer).
 *
 * @param flip       probability of a horizontal flip
 * @param maxShift   largest shift in pixels along each axis
 * @param brightness largest brightness change, as a fraction of 255
 * @param contrast   largest relative contrast change
 */
public record Augmenter(double flip, int maxShift, double brightness, double contrast) {

    public Augmenter {
        if (!(flip >= 0 && flip <= 1) || maxShift < 0 || !(brightness >= 0) || !(contrast >= 0 && contrast < 1)) {
            throw new IllegalArgumentException("augmentation out of range: flip " + flip + " (0..1), maxShift "
                    + maxShift + " (>= 0), brightness " + brightness + " (>= 0), contrast " + contrast + " (0..1)");
        }
    }

    /** No augmentation: evaluation and validation. */
    public static Augmenter none() {
        return new Augmenter(0, 0, 0, 0);
    }

    public void apply(float[] img, int offset, int size, SplittableRandom rng, float[] scratch) {
        int plane = size * size;
        boolean mirror = flip > 0 && rng.nextDouble() < flip;
        int dx = maxShift > 0 ? rng.nextInt(-maxShift, maxShift + 1) : 0;
        int dy = maxShift > 0 ? rng.nextInt(-maxShift, maxShift + 1) : 0;
        if (mirror || dx != 0 || dy != 0) {
            System.arraycopy(img, offset, scratch, 0, 3 * plane);
            for (int c = 0; c < 3; c++) {
                int base = offset + c * plane;
                for (int y = 0; y < size; y++) {
                    int sy = clamp(y - dy, size);
                    for (int x = 0; x < size; x++) {
                        int sx = clamp(x - dx, size);
                        if (mirror) {
                            sx = size - 1 - sx;
                        }
                        img[base + y * size + x] = scratch[c * plane + sy * size + sx];
                    }
                }
            }
        }
        if (brightness > 0 || contrast > 0) {
            float shift = (float) ((brightness > 0 ? rng.nextDouble(-brightness, brightness) : 0) * 255);
            float gain = (float) (contrast > 0 ? 1 + rng.nextDouble(-contrast, contrast) : 1);
            double sum = 0;
            for (int i = 0; i < 3 * plane; i++) {
                sum += img[offset + i];
            }
            float mean = (float) (sum / (3 * plane));
            for (int i = 0; i < 3 * plane; i++) {
                float v = (img[offset + i] - mean) * gain + mean + shift;
                img[offset + i] = v < 0 ? 0 : Math.min(v, 255f);
            }
        }
    }

    private static int clamp(int v, int size) {
        return v < 0 ? 0 : Math.min(v, size - 1);
    }
}
