package io.facestream.protocol.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.protocol.FaceImage;
import io.facestream.protocol.ImageEncoding;
import io.facestream.protocol.IngestRecord;
import io.facestream.protocol.Limits;
import io.facestream.protocol.PairRecord;
import io.facestream.protocol.ProtocolException;
import io.facestream.protocol.ProtocolException.Reason;
import java.util.Collections;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RecordCodecEncodeErrorsTest {
    private static final byte[] IMAGE = {1, 2, 3};

    static Stream<Arguments> invalid() {
        FaceImage a = image("a", "s", IMAGE);
        return Stream.of(
                bad("null pair", () -> RecordCodec.encode((PairRecord) null), Reason.INVALID_FIELD, "pair record is null"),
                bad("null ingest", () -> RecordCodec.encode((IngestRecord) null), Reason.INVALID_FIELD, "is null"),
                bad("identity with a slash", () -> pair("a/b", 0, "p", image("a/b", "s", IMAGE)), Reason.INVALID_FIELD,
                        "pair.identity"),
                bad("identity of 129 characters", () -> pair("a".repeat(129), 0, "p", image("a".repeat(129), "s", IMAGE)),
                        Reason.INVALID_FIELD, "1-128 characters"),
                bad("negative sequence", () -> pair("a", -3, "p", a), Reason.INVALID_FIELD, "pair.sequence -3"),
                bad("empty producer id", () -> pair("a", 0, "", a), Reason.INVALID_FIELD, "pair.producerId must not be empty"),
                bad("producer id of 257 bytes", () -> pair("a", 0, "p".repeat(257), a), Reason.TOO_LARGE,
                        "pair.producerId is 257 UTF-8 bytes"),
                bad("sample id of 129 two-byte characters", () -> pair("a", 0, "p", image("a", "\u00e9".repeat(129), IMAGE)),
                        Reason.TOO_LARGE, "pair.second.sampleId is 258 UTF-8 bytes"),
                bad("lone surrogate in a sample id", () -> pair("a", 0, "p", image("a", "x\ud800y", IMAGE)),
                        Reason.INVALID_FIELD, "lone UTF-16 surrogate"),
                bad("image one byte over MAX_IMAGE_BYTES", () -> pair("a", 0, "p",
                        image("a", "s", new byte[Limits.MAX_IMAGE_BYTES + 1])), Reason.TOO_LARGE,
                        "pair.second.bytes is 4194305 bytes"),
                bad("image of another identity", () -> pair("a", 0, "p", image("b", "s", IMAGE)), Reason.INVALID_FIELD,
                        "pair.second.identity \"b\" differs"),
                bad("ingest without images", () -> RecordCodec.encode(IngestRecord.of("a", List.of(), "r")),
                        Reason.INVALID_FIELD, "ingest.images is empty"),
                bad("ingest of 65 images", () -> RecordCodec.encode(IngestRecord.of("a", Collections.nCopies(65, a), "r")),
                        Reason.TOO_LARGE, "65 images"),
                bad("ingest with a 31-byte hash", () -> RecordCodec.encode(new IngestRecord("a", List.of(a), new byte[31],
                        "r")), Reason.INVALID_FIELD, "ingest.contentHash is 31 bytes"),
                bad("ingest with a wrong hash", () -> RecordCodec.encode(new IngestRecord("a", List.of(a), new byte[32],
                        "r")), Reason.INVALID_FIELD, "not the SHA-256"),
                bad("ingest image of another identity", () -> RecordCodec.encode(IngestRecord.of("a",
                        List.of(a, image("b", "t", IMAGE)), "r")), Reason.INVALID_FIELD, "ingest.images[1].identity"),
                bad("ingest one byte over MAX_RECORD_BYTES", () -> RecordCodec.encode(
                        RecordCodecRoundTripTest.ingestOfFrameSize(Limits.MAX_RECORD_BYTES + 1)), Reason.TOO_LARGE,
                        "ingest.images[3].bytes"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalid")
    @DisplayName("an invalid record is refused at encoding with the reason and the field named")
    void invalidRecordIsRefused(String name, Supplier<byte[]> encode, Reason reason, String text) {
        ProtocolException e = assertThrows(ProtocolException.class, encode::get);
        assertEquals(reason, e.reason(), e.getMessage());
        assertTrue(e.getMessage().contains(text), () -> "message '" + e.getMessage() + "' lacks '" + text + "'");
    }

    private static Arguments bad(String name, Supplier<byte[]> encode, Reason reason, String text) {
        return Arguments.of(name, encode, reason, text);
    }

    private static FaceImage image(String identity, String sampleId, byte[] bytes) {
        return new FaceImage(identity, sampleId, ImageEncoding.JPEG, bytes);
    }

    /** A pair whose first image is a valid image of {@code identity} and whose second is {@code second}. */
    private static byte[] pair(String identity, long sequence, String producer, FaceImage second) {
        return RecordCodec.encode(new PairRecord(identity, sequence, producer, image(identity, "f", IMAGE), second));
    }
}
