package io.facestream.protocol.codec;

import io.facestream.protocol.IngestRecord;
import io.facestream.protocol.PairRecord;
import io.facestream.protocol.ProtocolException;

/**
 * The FaceStream binary record format (see protocol/README.md): a framed, CRC32C-checked, versioned body.
 * Stateless and thread-safe. Every failure, encoding or decoding, is a {@link ProtocolException} whose message
 * names the field and, when decoding, the byte offset.
 */
public final class RecordCodec {
    /** The format version this build writes and the only one it reads. */
    public static final int VERSION = 1;

    private RecordCodec() {
    }

    /** @throws ProtocolException if the record breaks a limit or rule of the format (nothing is written) */
    public static byte[] encode(PairRecord pair) {
        return PairBody.encode(pair);
    }

    /** @throws ProtocolException if the record breaks a limit or rule of the format (nothing is written) */
    public static byte[] encode(IngestRecord ingest) {
        return IngestBody.encode(ingest);
    }

    /** @throws ProtocolException unless {@code bytes} is exactly one valid PAIR frame */
    public static PairRecord decodePair(byte[] bytes) {
        return PairBody.decode(bytes);
    }

    /** @throws ProtocolException unless {@code bytes} is exactly one valid INGEST frame */
    public static IngestRecord decodeIngest(byte[] bytes) {
        return IngestBody.decode(bytes);
    }

    /**
     * Reads the 8-byte header only, to route a record by type before decoding it. Does not check the CRC,
     * the body or the total length.
     *
     * @throws ProtocolException for a short header, bad magic, unknown version or type, or out-of-range length
     */
    public static FrameHeader peek(byte[] bytes) {
        return Frame.readHeader(bytes);
    }
}
