package io.facestream.protocol.codec;

import io.facestream.protocol.FaceImage;
import io.facestream.protocol.ImageEncoding;
import io.facestream.protocol.IngestRecord;
import io.facestream.protocol.Limits;
import io.facestream.protocol.PairRecord;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Seeded random valid records: identities of every allowed length, unicode ids, images from 0 bytes up. */
final class RandomRecords {
    private static final String ID_FIRST = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
    private static final String ID_REST = ID_FIRST + ".";
    /** Code point ranges: ASCII, 2-byte, 3-byte below and above the surrogates, 4-byte. */
    private static final int[][] CODE_POINTS = {{0x20, 0x7E}, {0xA0, 0x7FF}, {0x800, 0xD7FF}, {0xE000, 0xFFFD},
        {0x10000, 0x10FFFF}};

    private final Random rnd;

    RandomRecords(long seed) {
        rnd = new Random(seed);
    }

    Random random() {
        return rnd;
    }

    String identity() {
        int length = rnd.nextInt(10) == 0 ? Limits.MAX_IDENTITY_BYTES : 1 + rnd.nextInt(24);
        StringBuilder sb = new StringBuilder().append(ID_FIRST.charAt(rnd.nextInt(ID_FIRST.length())));
        while (sb.length() < length) {
            sb.append(ID_REST.charAt(rnd.nextInt(ID_REST.length())));
        }
        return sb.toString();
    }

    /** 1..maxBytes UTF-8 bytes of code points drawn from every UTF-8 length class. */
    String unicodeId(int maxBytes) {
        int target = rnd.nextInt(8) == 0 ? maxBytes : 1 + rnd.nextInt(Math.min(40, maxBytes));
        StringBuilder sb = new StringBuilder();
        int bytes = 0;
        while (bytes < target) {
            int[] range = CODE_POINTS[rnd.nextInt(CODE_POINTS.length)];
            int cp = range[0] + rnd.nextInt(range[1] - range[0] + 1);
            int size = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
            if (bytes + size > maxBytes) {
                cp = 'a' + rnd.nextInt(26);
                size = 1;
            }
            sb.appendCodePoint(cp);
            bytes += size;
        }
        return sb.toString();
    }

    byte[] imageBytes(int maxBytes) {
        int length = switch (rnd.nextInt(6)) {
            case 0 -> 0;
            case 1 -> maxBytes;
            default -> rnd.nextInt(maxBytes + 1);
        };
        byte[] b = new byte[length];
        rnd.nextBytes(b);
        return b;
    }

    FaceImage image(String identity, int maxBytes) {
        ImageEncoding[] encodings = ImageEncoding.values();
        return new FaceImage(identity, unicodeId(Limits.MAX_ID_BYTES), encodings[rnd.nextInt(encodings.length)],
                imageBytes(maxBytes));
    }

    PairRecord pair(int maxImageBytes) {
        String identity = identity();
        long sequence = rnd.nextInt(4) == 0 ? Long.MAX_VALUE - rnd.nextInt(3) : rnd.nextInt(1_000_000);
        return new PairRecord(identity, sequence, unicodeId(Limits.MAX_ID_BYTES), image(identity, maxImageBytes),
                image(identity, maxImageBytes));
    }

    IngestRecord ingest(int maxImages, int maxImageBytes) {
        String identity = identity();
        List<FaceImage> images = new ArrayList<>();
        int count = 1 + rnd.nextInt(maxImages);
        for (int i = 0; i < count; i++) {
            images.add(image(identity, maxImageBytes));
        }
        return IngestRecord.of(identity, images, unicodeId(Limits.MAX_ID_BYTES));
    }
}
