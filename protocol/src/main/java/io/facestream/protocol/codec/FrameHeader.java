package io.facestream.protocol.codec;

/**
 * The fixed 8-byte start of a frame, read by {@link RecordCodec#peek(byte[])} without checking the body or CRC.
 *
 * @param version    the format version (only {@link RecordCodec#VERSION} is accepted)
 * @param type       what the body holds
 * @param bodyLength body bytes between the header and the CRC
 */
public record FrameHeader(int version, RecordType type, int bodyLength) {
    /** Bytes the whole frame occupies: header, body and CRC. */
    public int frameLength() {
        return Frame.OVERHEAD + bodyLength;
    }
}
