package io.facestream.protocol.codec;

import io.facestream.protocol.FaceImage;
import io.facestream.protocol.IngestRecord;
import io.facestream.protocol.Limits;
import io.facestream.protocol.ProtocolException;
import io.facestream.protocol.ProtocolException.Reason;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Body of an INGEST frame: identity, requestId, contentHash (int32 length, always 32), image count (uint16,
 * 1..{@link Limits#MAX_IMAGES_PER_INGEST}), images. The hash must equal {@link IngestRecord#hashOf(List)}.
 */
final class IngestBody {
    private IngestBody() {
    }

    static byte[] encode(IngestRecord ingest) {
        if (ingest == null) {
            throw new ProtocolException(Reason.INVALID_FIELD, "the ingest record is null");
        }
        List<FaceImage> images = ingest.images();
        if (images.isEmpty()) {
            throw new ProtocolException(Reason.INVALID_FIELD, "ingest.images is empty: send at least one image");
        }
        if (images.size() > Limits.MAX_IMAGES_PER_INGEST) {
            throw new ProtocolException(Reason.TOO_LARGE, "ingest.images holds " + images.size()
                    + " images, the limit is " + Limits.MAX_IMAGES_PER_INGEST + ": split the request");
        }
        String hashProblem = hashProblem(ingest.contentHash(), images);
        if (hashProblem != null) {
            throw new ProtocolException(Reason.INVALID_FIELD, "ingest.contentHash " + hashProblem);
        }
        long size = Frame.OVERHEAD + 2 + Utf8.length(ingest.identity()) + 2 + Utf8.length(ingest.requestId())
                + 4 + Limits.CONTENT_HASH_BYTES + 2;
        for (FaceImage image : images) {
            size += FaceImageBody.size(image);
        }
        FrameWriter w = new FrameWriter(RecordType.INGEST, size);
        w.identity("ingest.identity", ingest.identity());
        w.string("ingest.requestId", ingest.requestId(), Limits.MAX_ID_BYTES);
        w.bytes("ingest.contentHash", ingest.contentHash(), Limits.CONTENT_HASH_BYTES);
        w.u16("ingest.imageCount", images.size());
        for (int i = 0; i < images.size(); i++) {
            FaceImageBody.write(w, "ingest.images[" + i + "]", images.get(i), ingest.identity());
        }
        return w.finish();
    }

    static IngestRecord decode(byte[] bytes) {
        BodyReader r = Frame.open(bytes, RecordType.INGEST);
        String identity = r.identity("ingest.identity");
        String requestId = r.string("ingest.requestId", Limits.MAX_ID_BYTES);
        int hashAt = r.offset();
        byte[] hash = r.bytes("ingest.contentHash", Limits.CONTENT_HASH_BYTES);
        if (hash.length != Limits.CONTENT_HASH_BYTES) {
            throw r.error(Reason.BAD_LENGTH, "ingest.contentHash", hashAt, "length " + hash.length
                    + ", a SHA-256 digest is " + Limits.CONTENT_HASH_BYTES + " bytes");
        }
        int countAt = r.offset();
        int count = r.u16("ingest.imageCount");
        if (count < 1 || count > Limits.MAX_IMAGES_PER_INGEST) {
            throw r.error(Reason.BAD_LENGTH, "ingest.imageCount", countAt, count + " is outside 1.."
                    + Limits.MAX_IMAGES_PER_INGEST);
        }
        List<FaceImage> images = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            images.add(FaceImageBody.read(r, "ingest.images[" + i + "]", identity));
        }
        r.expectEnd("INGEST");
        String hashProblem = hashProblem(hash, images);
        if (hashProblem != null) {
            throw r.error(Reason.INVALID_FIELD, "ingest.contentHash", hashAt, hashProblem);
        }
        return new IngestRecord(identity, images, hash, requestId);
    }

    /** @return what is wrong with the hash, or null if it is the SHA-256 of the images */
    private static String hashProblem(byte[] hash, List<FaceImage> images) {
        if (hash.length != Limits.CONTENT_HASH_BYTES) {
            return "is " + hash.length + " bytes; it must be the 32-byte SHA-256 of the images' bytes "
                    + "(IngestRecord.hashOf)";
        }
        if (!Arrays.equals(hash, IngestRecord.hashOf(images))) {
            return "is not the SHA-256 of the images' bytes in order (IngestRecord.hashOf)";
        }
        return null;
    }
}
