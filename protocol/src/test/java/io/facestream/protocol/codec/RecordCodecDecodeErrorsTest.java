package io.facestream.protocol.codec;

import static io.facestream.protocol.codec.RecordCodecRoundTripTest.GOLDEN_INGEST;
import static io.facestream.protocol.codec.RecordCodecRoundTripTest.GOLDEN_PAIR;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.protocol.IngestRecord;
import io.facestream.protocol.Limits;
import io.facestream.protocol.ProtocolException;
import io.facestream.protocol.ProtocolException.Reason;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RecordCodecDecodeErrorsTest {
    private static final Function<byte[], Object> PAIR = RecordCodec::decodePair;
    private static final Function<byte[], Object> INGEST = RecordCodec::decodeIngest;
    private static final byte[] HASH_123 = IngestRecord.hashOf(RecordCodecRoundTripTest.goldenIngest().images());

    static Stream<Arguments> malformed() {
        return Stream.of(
                // frame
                bad("null", null, PAIR, Reason.TRUNCATED, "null"),
                bad("empty", new byte[0], INGEST, Reason.TRUNCATED, "empty"),
                bad("wrong first magic byte", patch(GOLDEN_PAIR, 0, 'X'), PAIR, Reason.BAD_MAGIC, "offset 0"),
                bad("wrong second magic byte", patch(GOLDEN_PAIR, 1, 's'), PAIR, Reason.BAD_MAGIC, "0x4673"),
                bad("version 2", patch(GOLDEN_PAIR, 2, 2), PAIR, Reason.UNKNOWN_VERSION, "offset 2: version 2"),
                bad("version 0", patch(GOLDEN_PAIR, 2, 0), PAIR, Reason.UNKNOWN_VERSION, "version 0"),
                bad("unknown type 3", patch(GOLDEN_PAIR, 3, 3), PAIR, Reason.WRONG_TYPE, "unknown record type 3"),
                bad("ingest read as pair", GOLDEN_INGEST, PAIR, Reason.WRONG_TYPE, "expected a PAIR record"),
                bad("pair read as ingest", GOLDEN_PAIR, INGEST, Reason.WRONG_TYPE, "found PAIR"),
                bad("negative body length", length(GOLDEN_PAIR, -1), PAIR, Reason.BAD_LENGTH, "offset 4"),
                bad("body length of 2 GiB", length(GOLDEN_PAIR, Integer.MAX_VALUE), PAIR, Reason.BAD_LENGTH,
                        "2147483647"),
                bad("body length one past the limit", length(GOLDEN_PAIR, Limits.MAX_RECORD_BYTES - 11), PAIR,
                        Reason.BAD_LENGTH, "16777205"),
                bad("body length beyond the bytes", length(GOLDEN_PAIR, 45), PAIR, Reason.TRUNCATED, "57 bytes"),
                bad("one trailing byte", Arrays.copyOf(GOLDEN_PAIR, 57), PAIR, Reason.TRAILING_BYTES, "offset 56"),
                bad("changed CRC", patch(GOLDEN_PAIR, 55, 0), PAIR, Reason.BAD_CRC, "offset 52"),
                bad("changed body byte", patch(GOLDEN_INGEST, 30, GOLDEN_INGEST[30] ^ 0x10), INGEST, Reason.BAD_CRC, "stored CRC32C"),
                // pair body, CRC correct so that the body parser is reached
                bad("identity with a space", pair("a b", 0, "p", "a b"), PAIR, Reason.INVALID_FIELD,
                        "pair.identity at offset 8"),
                bad("identity starting with a dot", pair(".a", 0, "p", ".a"), PAIR, Reason.INVALID_FIELD,
                        "pair.identity"),
                bad("negative sequence", pair("a", -1, "p", "a"), PAIR, Reason.INVALID_FIELD,
                        "pair.sequence at offset 11: -1"),
                bad("second image of another identity", pair("a", 0, "p", "b"), PAIR, Reason.INVALID_FIELD,
                        "pair.second.identity"),
                bad("empty producer id", new Wire.Body().str("a").i64(0).str("").frame(1), PAIR, Reason.INVALID_FIELD,
                        "pair.producerId at offset 19: must not be empty"),
                bad("string length past the body", new Wire.Body().str("a").i64(0).u16(200).raw(new byte[] {'p'}).frame(1),
                        PAIR, Reason.BAD_LENGTH, "pair.producerId at offset 19: length 200 points past the end"),
                bad("identity longer than 128 bytes", new Wire.Body().str("a".repeat(129)).frame(1), PAIR,
                        Reason.BAD_LENGTH, "pair.identity at offset 8: length 129 is outside 0..128"),
                bad("sample id longer than MAX_ID_BYTES", new Wire.Body().str("a").i64(0).str("p").str("a")
                        .u16(257).raw(new byte[257]).frame(1), PAIR, Reason.BAD_LENGTH, "pair.first.sampleId"),
                bad("malformed UTF-8 sample id", imageWith(new Wire.Body().str("a").u16(2).raw(bytes(0xC3, 0x28))
                        .u8(1).bytes(new byte[0])), PAIR, Reason.INVALID_FIELD, "malformed UTF-8 at offset 27"),
                bad("overlong UTF-8 sample id", imageWith(new Wire.Body().str("a").u16(2).raw(bytes(0xC0, 0xAF))
                        .u8(1).bytes(new byte[0])), PAIR, Reason.INVALID_FIELD, "pair.first.sampleId"),
                bad("UTF-8 encoded surrogate", imageWith(new Wire.Body().str("a").u16(3).raw(bytes(0xED, 0xA0, 0x80))
                        .u8(1).bytes(new byte[0])), PAIR, Reason.INVALID_FIELD, "malformed UTF-8"),
                bad("unknown image encoding", imageWith(new Wire.Body().str("a").str("s").u8(9).bytes(new byte[0])),
                        PAIR, Reason.INVALID_FIELD, "pair.first.encoding at offset 28: unknown image encoding code 9"),
                bad("negative image length", imageWith(new Wire.Body().str("a").str("s").u8(1).i32(-5)), PAIR,
                        Reason.BAD_LENGTH, "pair.first.bytes at offset 29: length -5"),
                bad("image length of 2 GiB", imageWith(new Wire.Body().str("a").str("s").u8(1).i32(Integer.MAX_VALUE)),
                        PAIR, Reason.BAD_LENGTH, "outside 0..4194304"),
                bad("image length past the body", imageWith(new Wire.Body().str("a").str("s").u8(1).i32(1000)),
                        PAIR, Reason.BAD_LENGTH, "points past the end"),
                bad("body ends inside the sequence", new Wire.Body().str("a").u8(0).u8(0).frame(1), PAIR,
                        Reason.TRUNCATED, "pair.sequence at offset 11"),
                bad("body ends before the second image", new Wire.Body().str("a").i64(0).str("p")
                        .image("a", "s", 1, new byte[0]).frame(1), PAIR, Reason.TRUNCATED, "pair.second.identity"),
                bad("bytes after the last field", Wire.frame(1, concat(pairBody("a", 0, "p", "a"), bytes(0))), PAIR,
                        Reason.TRAILING_BYTES, "1 bytes left in the body"),
                // ingest body
                bad("no images", ingest(32, 0, HASH_123), INGEST, Reason.BAD_LENGTH, "ingest.imageCount at offset 55: 0"),
                bad("65 images", ingest(32, 65, HASH_123), INGEST, Reason.BAD_LENGTH, "outside 1..64"),
                bad("31-byte hash", ingest(31, 1, HASH_123), INGEST, Reason.BAD_LENGTH, "ingest.contentHash at offset 19"),
                bad("hash of other bytes", ingest(32, 1, new byte[32]), INGEST, Reason.INVALID_FIELD,
                        "ingest.contentHash at offset 19: is not the SHA-256"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    @DisplayName("malformed bytes fail with the right reason and a message naming field and offset")
    void malformedIsRefused(String name, byte[] bytes, Function<byte[], Object> decoder, Reason reason, String text) {
        ProtocolException e = assertThrows(ProtocolException.class, () -> decoder.apply(bytes));
        assertEquals(reason, e.reason(), e.getMessage());
        assertTrue(e.getMessage().contains(text), () -> "message '" + e.getMessage() + "' lacks '" + text + "'");
    }

    @Test
    @DisplayName("every proper prefix of a pair or ingest record is TRUNCATED")
    void everyTruncationIsTruncated() {
        for (byte[] sample : samples()) {
            Function<byte[], Object> decoder = decoderFor(sample);
            for (int n = 0; n < sample.length; n++) {
                byte[] prefix = Arrays.copyOf(sample, n);
                ProtocolException e = assertThrows(ProtocolException.class, () -> decoder.apply(prefix));
                assertEquals(Reason.TRUNCATED, e.reason(), "prefix of " + n + " bytes: " + e.getMessage());
                assertTrue(n == 0 || e.getMessage().contains("offset " + n), e.getMessage());
            }
        }
    }

    @Test
    @DisplayName("every single-bit flip is refused: magic, version, type, length by their checks, the rest by the CRC")
    void everyBitFlipIsRefused() {
        for (byte[] sample : samples()) {
            Function<byte[], Object> decoder = decoderFor(sample);
            for (int bit = 0; bit < sample.length * 8; bit++) {
                byte[] flipped = sample.clone();
                flipped[bit / 8] ^= (byte) (1 << (bit % 8));
                ProtocolException e = assertThrows(ProtocolException.class, () -> decoder.apply(flipped));
                assertEquals(expectedForFlip(flipped, bit / 8, sample.length), e.reason(),
                        "bit " + bit + ": " + e.getMessage());
            }
        }
    }

    /** The two golden records and two random ones with unicode ids and several images. */
    private static List<byte[]> samples() {
        RandomRecords gen = new RandomRecords(21);
        return List.of(GOLDEN_PAIR, GOLDEN_INGEST, RecordCodec.encode(gen.pair(200)), RecordCodec.encode(gen.ingest(5, 60)));
    }

    private static Function<byte[], Object> decoderFor(byte[] frame) {
        return frame[3] == RecordType.PAIR.code() ? PAIR : INGEST;
    }

    private static Reason expectedForFlip(byte[] flipped, int at, int frameLength) {
        if (at < 2) {
            return Reason.BAD_MAGIC;
        }
        if (at == 2) {
            return Reason.UNKNOWN_VERSION;
        }
        if (at == 3) {
            return Reason.WRONG_TYPE;
        }
        if (at < 8) {
            long declared = ByteBuffer.wrap(flipped).getInt(4);
            if (declared < 0 || declared > Limits.MAX_RECORD_BYTES - 12) {
                return Reason.BAD_LENGTH;
            }
            return declared + 12 > frameLength ? Reason.TRUNCATED : Reason.TRAILING_BYTES;
        }
        return Reason.BAD_CRC;
    }

    private static Arguments bad(String name, byte[] bytes, Function<byte[], Object> decoder, Reason reason,
            String text) {
        return Arguments.of(name, bytes, decoder, reason, text);
    }

    private static byte[] pairBody(String identity, long sequence, String producer, String secondIdentity) {
        return new Wire.Body().str(identity).i64(sequence).str(producer).image(identity, "s", 1, new byte[] {7})
                .image(secondIdentity, "t", 2, new byte[0]).build();
    }

    private static byte[] pair(String identity, long sequence, String producer, String secondIdentity) {
        return Wire.frame(1, pairBody(identity, sequence, producer, secondIdentity));
    }

    /** A pair of identity "a" (sequence at 11, producer at 19) whose first image starts at offset 22. */
    private static byte[] imageWith(Wire.Body firstImage) {
        byte[] head = new Wire.Body().str("a").i64(0).str("p").build();
        byte[] tail = new Wire.Body().image("a", "t", 1, new byte[0]).build();
        return Wire.frame(1, concat(head, firstImage.build(), tail));
    }

    /** Ingest of identity "alice", request "r1" (hash length at 19, count at 55), copies of the golden image. */
    private static byte[] ingest(int hashLength, int count, byte[] hash) {
        Wire.Body body = new Wire.Body().str("alice").str("r1").i32(hashLength).raw(Arrays.copyOf(hash, hashLength))
                .u16(count);
        for (int i = 0; i < count; i++) {
            body.image("alice", "a.jpg", 1, new byte[] {1, 2, 3});
        }
        return body.frame(2);
    }

    private static byte[] patch(byte[] frame, int at, int value) {
        byte[] out = frame.clone();
        out[at] = (byte) value;
        return out;
    }

    private static byte[] length(byte[] frame, int bodyLength) {
        byte[] out = frame.clone();
        ByteBuffer.wrap(out).putInt(4, bodyLength);
        return Wire.withCrc(out);
    }

    private static byte[] bytes(int... values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (byte) values[i];
        }
        return out;
    }

    private static byte[] concat(byte[]... parts) {
        Wire.Body body = new Wire.Body();
        for (byte[] part : parts) {
            body.raw(part);
        }
        return body.build();
    }
}
