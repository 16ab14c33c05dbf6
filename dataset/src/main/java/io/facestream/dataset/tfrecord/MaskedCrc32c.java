package io.facestream.dataset.tfrecord;

import java.util.zip.CRC32C;

/**
 * The checksum TFRecord framing stores: CRC32C of the bytes, masked as {@code ((crc >>> 15) | (crc << 17)) +
 * 0xa282ead8} so that a CRC of data that itself holds CRCs does not look like one.
 */
final class MaskedCrc32c {
    private static final int MASK_DELTA = 0xa282ead8;

    private MaskedCrc32c() {
    }

    static int of(byte[] bytes, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, offset, length);
        int c = (int) crc.getValue();
        return ((c >>> 15) | (c << 17)) + MASK_DELTA;
    }
}
