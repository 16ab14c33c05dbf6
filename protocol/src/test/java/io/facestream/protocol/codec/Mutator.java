package io.facestream.protocol.codec;

import io.facestream.protocol.Limits;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Random;

/**
 * Seeded mutations of valid frames. Most repair the length field and CRC afterwards so that the mutation
 * reaches the body parser instead of stopping at the CRC check.
 */
final class Mutator {
    static final String[] KINDS = {"bit flips", "byte changes", "insertion", "deletion", "splice", "int32 field",
        "uint16 field", "truncation", "length field", "trailing bytes", "header byte"};
    private static final int[] INT32S = {Integer.MIN_VALUE, -1, 0, 1, 31, 32, 33, Integer.MAX_VALUE, 0x7FFFFFF0,
        Limits.MAX_IMAGE_BYTES, Limits.MAX_IMAGE_BYTES + 1, Limits.MAX_RECORD_BYTES, 1 << 30};
    private static final int[] UINT16S = {0, 1, 0xFFFF, 0x8000, 64, 65, 128, 129, 256, 257};

    private final Random rnd;
    private final List<byte[]> seeds;

    Mutator(Random rnd, List<byte[]> seeds) {
        this.rnd = rnd;
        this.seeds = seeds;
    }

    /** One mutation of {@code frame} of the given kind (an index into {@link #KINDS}). */
    byte[] mutate(byte[] frame, int kind) {
        byte[] b = frame.clone();
        int bodyEnd = b.length - 4;
        switch (kind) {
            case 0 -> {
                for (int n = 1 + rnd.nextInt(3); n > 0; n--) {
                    b[rnd.nextInt(b.length)] ^= (byte) (1 << rnd.nextInt(8));
                }
                return b;
            }
            case 1 -> {
                for (int n = 1 + rnd.nextInt(4); n > 0; n--) {
                    b[bodyAt(b)] = (byte) rnd.nextInt(256);
                }
                return Wire.withCrc(b);
            }
            case 2 -> {
                return Wire.withLengthAndCrc(splice(b, bodyAt(b), randomBytes(1 + rnd.nextInt(8)), 0));
            }
            case 3 -> {
                int at = bodyAt(b);
                return Wire.withLengthAndCrc(splice(b, at, new byte[0], Math.min(1 + rnd.nextInt(8), bodyEnd - at)));
            }
            case 4 -> {
                byte[] other = seeds.get(rnd.nextInt(seeds.size()));
                int cut = bodyAt(b);
                int otherCut = bodyAt(other);
                byte[] tail = java.util.Arrays.copyOfRange(other, otherCut, other.length);
                return Wire.withLengthAndCrc(splice(b, cut, tail, b.length - cut));
            }
            case 5 -> {
                int at = Math.min(bodyAt(b), bodyEnd - 4);
                ByteBuffer.wrap(b).putInt(at, pick(INT32S, bodyEnd - at));
                return Wire.withCrc(b);
            }
            case 6 -> {
                int at = Math.min(bodyAt(b), bodyEnd - 2);
                ByteBuffer.wrap(b).putShort(at, (short) pick(UINT16S, bodyEnd - at));
                return Wire.withCrc(b);
            }
            case 7 -> {
                byte[] cut = java.util.Arrays.copyOf(b, rnd.nextInt(b.length));
                return cut.length >= 12 && rnd.nextBoolean() ? Wire.withLengthAndCrc(cut) : cut;
            }
            case 8 -> {
                ByteBuffer.wrap(b).putInt(4, pick(INT32S, b.length - 12));
                return rnd.nextBoolean() ? Wire.withCrc(b) : b;
            }
            case 9 -> {
                byte[] longer = splice(b, bodyEnd, randomBytes(1 + rnd.nextInt(8)), 0);
                return rnd.nextBoolean() ? Wire.withLengthAndCrc(longer) : longer;
            }
            default -> {
                b[rnd.nextInt(4)] = (byte) rnd.nextInt(4);
                return b;
            }
        }
    }

    /** A random offset inside the body. */
    private int bodyAt(byte[] frame) {
        return 8 + rnd.nextInt(frame.length - 12);
    }

    /** A boundary value, or one just past what the rest of the body holds. */
    private int pick(int[] values, int remaining) {
        return rnd.nextInt(4) == 0 ? remaining + rnd.nextInt(3) - 1 : values[rnd.nextInt(values.length)];
    }

    private byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        rnd.nextBytes(b);
        return b;
    }

    /** {@code b} with {@code removed} bytes at {@code at} replaced by {@code inserted}. */
    private static byte[] splice(byte[] b, int at, byte[] inserted, int removed) {
        ByteBuffer out = ByteBuffer.allocate(b.length - removed + inserted.length);
        out.put(b, 0, at).put(inserted).put(b, at + removed, b.length - at - removed);
        return out.array();
    }
}
