package io.facestream.dataset;

import io.facestream.protocol.FaceImage;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.SplittableRandom;

/**
 * How well trivial, non-learned distances tell identities of a {@link SyntheticFaces} source apart, on balanced
 * verification pairs. Low figures for pixels and colour mean a model must learn shape; a high figure for aligned
 * landmarks means the shape is there to learn.
 *
 * @param rawPixels   best-threshold accuracy of L2 on the 16x16 grayscale thumbnail
 * @param meanColour  same for the distance between whole-image mean RGB colours
 * @param centreColour same for the mean RGB of the central quarter (mostly face)
 * @param landmarks   same for the Procrustes residual between the two images' landmark sets (not from pixels)
 */
record Calibration(int pairs, double rawPixels, double meanColour, double centreColour, double landmarks) {
    static final int THUMB = 16;

    /**
     * Builds {@code pairs} pairs over the source's identities, half of one identity (two different images), half of
     * two different identities, chosen by {@code seed}, and measures them on the decoded JPEGs.
     */
    static Calibration measure(SyntheticFaces src, int pairs, long seed) throws IOException {
        SplittableRandom r = new SplittableRandom(seed);
        int ids = src.identities().size();
        int images = src.config().imagesPerIdentity();
        if (ids < 2 || images < 2) {
            throw new IllegalArgumentException("calibration needs 2+ identities with 2+ images, got " + src.describe());
        }
        double[][] dist = new double[4][pairs];
        boolean[] same = new boolean[pairs];
        for (int p = 0; p < pairs; p++) {
            same[p] = p % 2 == 0;
            int a = r.nextInt(ids);
            int b = same[p] ? a : (a + 1 + r.nextInt(ids - 1)) % ids;
            int ia = r.nextInt(images);
            int ib = same[p] ? (ia + 1 + r.nextInt(images - 1)) % images : r.nextInt(images);
            Features fa = Features.of(src, src.identities().get(a), ia);
            Features fb = Features.of(src, src.identities().get(b), ib);
            dist[0][p] = l2(fa.thumb, fb.thumb);
            dist[1][p] = l2(fa.mean, fb.mean);
            dist[2][p] = l2(fa.centre, fb.centre);
            dist[3][p] = procrustes(fa.landmarks, fb.landmarks);
        }
        return new Calibration(pairs, VerificationAccuracy.best(dist[0], same),
                VerificationAccuracy.best(dist[1], same), VerificationAccuracy.best(dist[2], same),
                VerificationAccuracy.best(dist[3], same));
    }

    private record Features(double[] thumb, double[] mean, double[] centre, double[] landmarks) {
        static Features of(SyntheticFaces src, String identity, int index) throws IOException {
            FaceImage face = src.read(identity, index);
            BufferedImage image = Images.decode(face.bytes(), identity + "#" + index);
            int number = Integer.parseInt(identity.substring("syn-".length()));
            double[] landmarks = SyntheticFaces.landmarks(src.config().seed(), number, index, src.config().size());
            int s = image.getWidth();
            return new Features(thumbnail(image), meanColour(image, 0, s), meanColour(image, s / 4, 3 * s / 4),
                    landmarks);
        }
    }

    /** Grayscale, area-averaged down to {@value #THUMB}x{@value #THUMB}. */
    static double[] thumbnail(BufferedImage image) {
        int s = image.getWidth();
        double[] out = new double[THUMB * THUMB];
        int[] counts = new int[THUMB * THUMB];
        for (int y = 0; y < s; y++) {
            for (int x = 0; x < s; x++) {
                int rgb = image.getRGB(x, y);
                double grey = 0.299 * ((rgb >> 16) & 0xFF) + 0.587 * ((rgb >> 8) & 0xFF) + 0.114 * (rgb & 0xFF);
                int cell = (y * THUMB / s) * THUMB + x * THUMB / s;
                out[cell] += grey;
                counts[cell]++;
            }
        }
        for (int i = 0; i < out.length; i++) {
            out[i] /= counts[i];
        }
        return out;
    }

    /** Mean (r, g, b) over the square [from, to)². */
    static double[] meanColour(BufferedImage image, int from, int to) {
        double[] sum = new double[3];
        for (int y = from; y < to; y++) {
            for (int x = from; x < to; x++) {
                int rgb = image.getRGB(x, y);
                sum[0] += (rgb >> 16) & 0xFF;
                sum[1] += (rgb >> 8) & 0xFF;
                sum[2] += rgb & 0xFF;
            }
        }
        double n = (double) (to - from) * (to - from);
        return new double[] {sum[0] / n, sum[1] / n, sum[2] / n};
    }

    static double l2(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            double d = a[i] - b[i];
            s += d * d;
        }
        return Math.sqrt(s);
    }

    /**
     * What is left of landmark set {@code b} after the best similarity transform (shift, rotation, scale) maps
     * {@code a} onto it, relative to {@code b}'s spread: 0 for the same shape in another pose. Points as
     * complex numbers: the best map is z -> c z with c = sum(conj(a) b) / sum(|a|²) after centring.
     */
    static double procrustes(double[] a, double[] b) {
        double[] ca = centred(a);
        double[] cb = centred(b);
        double re = 0;
        double im = 0;
        double norm = 0;
        double normB = 0;
        for (int i = 0; i < ca.length; i += 2) {
            re += ca[i] * cb[i] + ca[i + 1] * cb[i + 1];
            im += ca[i] * cb[i + 1] - ca[i + 1] * cb[i];
            norm += ca[i] * ca[i] + ca[i + 1] * ca[i + 1];
            normB += cb[i] * cb[i] + cb[i + 1] * cb[i + 1];
        }
        double cr = re / norm;
        double ci = im / norm;
        double residual = 0;
        for (int i = 0; i < ca.length; i += 2) {
            double x = cr * ca[i] - ci * ca[i + 1] - cb[i];
            double y = ci * ca[i] + cr * ca[i + 1] - cb[i + 1];
            residual += x * x + y * y;
        }
        return Math.sqrt(residual / normB);
    }

    private static double[] centred(double[] p) {
        double mx = 0;
        double my = 0;
        int n = p.length / 2;
        for (int i = 0; i < p.length; i += 2) {
            mx += p[i];
            my += p[i + 1];
        }
        double[] out = new double[p.length];
        for (int i = 0; i < p.length; i += 2) {
            out[i] = p[i] - mx / n;
            out[i + 1] = p[i + 1] - my / n;
        }
        return out;
    }
}
