package io.facestream.protocol.codec;

import io.facestream.protocol.FaceImage;
import io.facestream.protocol.ImageEncoding;
import io.facestream.protocol.Limits;
import io.facestream.protocol.ProtocolException;
import io.facestream.protocol.ProtocolException.Reason;

/** A {@link FaceImage} inside a body: identity, sampleId, encoding code (uint8), bytes (int32 length). */
final class FaceImageBody {
    /** Bytes an image takes besides its identity, sample id and image bytes: two uint16, uint8, int32. */
    static final int FIXED_BYTES = 2 + 2 + 1 + 4;

    private FaceImageBody() {
    }

    /** Bytes {@link #write} appends for a valid image, used to size the frame up front. */
    static long size(FaceImage image) {
        return FIXED_BYTES + Utf8.length(image.identity()) + Utf8.length(image.sampleId()) + (long) image.bytes().length;
    }

    static void write(FrameWriter w, String field, FaceImage image, String recordIdentity) {
        if (!image.identity().equals(recordIdentity)) {
            throw new ProtocolException(Reason.INVALID_FIELD, field + ".identity " + Limits.quote(image.identity())
                    + " differs from the record's identity " + Limits.quote(recordIdentity));
        }
        w.identity(field + ".identity", image.identity());
        w.string(field + ".sampleId", image.sampleId(), Limits.MAX_ID_BYTES);
        w.u8(field + ".encoding", image.encoding().code());
        w.bytes(field + ".bytes", image.bytes(), Limits.MAX_IMAGE_BYTES);
    }

    static FaceImage read(BodyReader r, String field, String recordIdentity) {
        int at = r.offset();
        String identity = r.identity(field + ".identity");
        if (!identity.equals(recordIdentity)) {
            throw r.error(Reason.INVALID_FIELD, field + ".identity", at, Limits.quote(identity)
                    + " differs from the record's identity " + Limits.quote(recordIdentity));
        }
        String sampleId = r.string(field + ".sampleId", Limits.MAX_ID_BYTES);
        at = r.offset();
        ImageEncoding encoding;
        try {
            encoding = ImageEncoding.fromCode(r.u8(field + ".encoding"));
        } catch (ProtocolException e) {
            if (e.reason() != Reason.INVALID_FIELD) {
                throw e;
            }
            throw r.error(Reason.INVALID_FIELD, field + ".encoding", at, e.detail(), e);
        }
        byte[] bytes = r.bytes(field + ".bytes", Limits.MAX_IMAGE_BYTES);
        return new FaceImage(identity, sampleId, encoding, bytes);
    }
}
