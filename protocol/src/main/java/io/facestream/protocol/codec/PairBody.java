package io.facestream.protocol.codec;

import io.facestream.protocol.FaceImage;
import io.facestream.protocol.Limits;
import io.facestream.protocol.PairRecord;
import io.facestream.protocol.ProtocolException;
import io.facestream.protocol.ProtocolException.Reason;

/** Body of a PAIR frame: identity, sequence (int64, >= 0), producerId, first image, second image. */
final class PairBody {
    private PairBody() {
    }

    static byte[] encode(PairRecord pair) {
        if (pair == null) {
            throw new ProtocolException(Reason.INVALID_FIELD, "the pair record is null");
        }
        if (pair.sequence() < 0) {
            throw new ProtocolException(Reason.INVALID_FIELD, "pair.sequence " + pair.sequence() + " is negative");
        }
        long size = Frame.OVERHEAD + 2 + Utf8.length(pair.identity()) + 8 + 2 + Utf8.length(pair.producerId())
                + FaceImageBody.size(pair.first()) + FaceImageBody.size(pair.second());
        FrameWriter w = new FrameWriter(RecordType.PAIR, size);
        w.identity("pair.identity", pair.identity());
        w.i64("pair.sequence", pair.sequence());
        w.string("pair.producerId", pair.producerId(), Limits.MAX_ID_BYTES);
        FaceImageBody.write(w, "pair.first", pair.first(), pair.identity());
        FaceImageBody.write(w, "pair.second", pair.second(), pair.identity());
        return w.finish();
    }

    static PairRecord decode(byte[] bytes) {
        BodyReader r = Frame.open(bytes, RecordType.PAIR);
        String identity = r.identity("pair.identity");
        int at = r.offset();
        long sequence = r.i64("pair.sequence");
        if (sequence < 0) {
            throw r.error(Reason.INVALID_FIELD, "pair.sequence", at, sequence + " is negative");
        }
        String producerId = r.string("pair.producerId", Limits.MAX_ID_BYTES);
        FaceImage first = FaceImageBody.read(r, "pair.first", identity);
        FaceImage second = FaceImageBody.read(r, "pair.second", identity);
        r.expectEnd("PAIR");
        return new PairRecord(identity, sequence, producerId, first, second);
    }
}
