package io.facestream.trainer.validation;

import io.facestream.protocol.FaceImage;
import io.facestream.dataset.IdentitySource;
import io.facestream.trainer.data.ImageDecodeException;
import io.facestream.trainer.data.ImageDecoder;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Labelled verification pairs over a pool of decoded images (each distinct image decoded once, kept as bytes
 * 0..255 in planar RGB: a 64x64 pool of 6,000 images takes 74 MB). Pair i compares pool images
 * {@code left[i]} and {@code right[i]}; {@code same[i]} says whether they show one identity.
 *
 * @param name  where the pairs came from, for reports
 * @param size  image width and height
 * @param pool  decoded images, 3*size*size bytes each
 */
public record ValidationSet(String name, int size, byte[][] pool, int[] left, int[] right, boolean[] same) {

    public int pairs() {
        return left.length;
    }

    /**
     * Draws {@code pairs} pairs from a source, alternating same-identity and different-identity pairs so every
     * contiguous fold of the LFW protocol holds both kinds.
     */
    public static ValidationSet sample(IdentitySource source, int pairs, long seed, ImageDecoder decoder)
            throws IOException, ImageDecodeException {
        List<String> ids = source.identities();
        List<String> multi = new ArrayList<>();
        for (String id : ids) {
            if (source.imageCount(id) >= 2) {
                multi.add(id);
            }
        }
        if (multi.isEmpty() || ids.size() < 2) {
            throw new IllegalArgumentException("a validation set needs at least 2 identities and one with 2+ images, got "
                    + source.describe());
        }
        SplittableRandom rng = new SplittableRandom(seed);
        Builder b = new Builder(source, decoder);
        for (int i = 0; i < pairs; i++) {
            if (i % 2 == 0) {
                String id = multi.get(rng.nextInt(multi.size()));
                int n = source.imageCount(id);
                int a = rng.nextInt(n);
                int c = (a + 1 + rng.nextInt(n - 1)) % n;
                b.add(id, a, id, c, true);
            } else {
                int x = rng.nextInt(ids.size());
                int y = (x + 1 + rng.nextInt(ids.size() - 1)) % ids.size();
                String ix = ids.get(x);
                String iy = ids.get(y);
                b.add(ix, rng.nextInt(source.imageCount(ix)), iy, rng.nextInt(source.imageCount(iy)), false);
            }
        }
        return b.build(source.describe());
    }

    /** Reads one encoded image by identity and index: an {@link IdentitySource}, or a validation file's own images. */
    @FunctionalInterface
    public interface ImageReader {
        FaceImage read(String identity, int index) throws IOException;
    }

    /** Collects pairs, decoding each distinct image once. */
    public static final class Builder {
        private final ImageReader source;
        private final ImageDecoder decoder;
        private final Map<String, Integer> slots = new HashMap<>();
        private final List<byte[]> pool = new ArrayList<>();
        private final List<int[]> pairs = new ArrayList<>();
        private final List<Boolean> same = new ArrayList<>();

        public Builder(IdentitySource source, ImageDecoder decoder) {
            this(source::read, decoder);
        }

        public Builder(ImageReader source, ImageDecoder decoder) {
            this.source = source;
            this.decoder = decoder;
        }

        /** Pairs added so far. */
        public int size() {
            return pairs.size();
        }

        public Builder add(String idA, int imgA, String idB, int imgB, boolean isSame)
                throws IOException, ImageDecodeException {
            pairs.add(new int[]{slot(idA, imgA), slot(idB, imgB)});
            same.add(isSame);
            return this;
        }

        private int slot(String id, int index) throws IOException, ImageDecodeException {
            String key = id + '\u0000' + index;
            Integer slot = slots.get(key);
            if (slot != null) {
                return slot;
            }
            FaceImage image = source.read(id, index);
            int n = 3 * decoder.size() * decoder.size();
            float[] px = new float[n];
            decoder.decodeInto(image, px, 0);
            byte[] bytes = new byte[n];
            for (int i = 0; i < n; i++) {
                bytes[i] = (byte) Math.round(px[i]);
            }
            pool.add(bytes);
            slots.put(key, pool.size() - 1);
            return pool.size() - 1;
        }

        public ValidationSet build(String name) {
            int n = pairs.size();
            int[] l = new int[n];
            int[] r = new int[n];
            boolean[] s = new boolean[n];
            for (int i = 0; i < n; i++) {
                l[i] = pairs.get(i)[0];
                r[i] = pairs.get(i)[1];
                s[i] = same.get(i);
            }
            return new ValidationSet(name, decoder.size(), pool.toArray(new byte[0][]), l, r, s);
        }
    }
}
