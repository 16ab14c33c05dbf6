package io.facestream.protocol.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.facestream.protocol.FaceImage;
import io.facestream.protocol.ImageEncoding;
import io.facestream.protocol.IngestRecord;
import io.facestream.protocol.Limits;
import io.facestream.protocol.PairRecord;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RecordCodecRoundTripTest {
    /** Computed independently (Python, bitwise CRC32C, hashlib) from the layout in protocol/README.md. */
    static final byte[] GOLDEN_PAIR = HexFormat.of().parseHex(
            "465301010000002c00036964370000000000000005000273310003696437000130010000000000036964370001310200000001ff"
            + "a3ff5908");
    static final byte[] GOLDEN_INGEST = HexFormat.of().parseHex(
            "46530102000000470005616c6963650002723100000020039058c6f2c0cb492c533b0a4d14ef77cc0f78abccced5287d84a1a2"
            + "011cfb8100010005616c6963650005612e6a706701000000030102036511a746");

    static PairRecord goldenPair() {
        return new PairRecord("id7", 5, "s1", new FaceImage("id7", "0", ImageEncoding.JPEG, new byte[0]),
                new FaceImage("id7", "1", ImageEncoding.PNG, new byte[] {(byte) 0xFF}));
    }

    static IngestRecord goldenIngest() {
        return IngestRecord.of("alice", List.of(new FaceImage("alice", "a.jpg", ImageEncoding.JPEG, new byte[] {1, 2, 3})),
                "r1");
    }

    @Test
    @DisplayName("a small pair record encodes to the hand-computed bytes of the README and decodes back")
    void goldenPairBytes() {
        assertArrayEquals(GOLDEN_PAIR, RecordCodec.encode(goldenPair()));
        assertEquals(goldenPair(), RecordCodec.decodePair(GOLDEN_PAIR));
    }

    @Test
    @DisplayName("a small ingest record encodes to the hand-computed bytes of the README and decodes back")
    void goldenIngestBytes() {
        assertArrayEquals(GOLDEN_INGEST, RecordCodec.encode(goldenIngest()));
        assertEquals(goldenIngest(), RecordCodec.decodeIngest(GOLDEN_INGEST));
    }

    @Test
    @DisplayName("peek reads version, type and body length from the header alone")
    void peekReadsHeader() {
        assertEquals(new FrameHeader(1, RecordType.PAIR, 44), RecordCodec.peek(GOLDEN_PAIR));
        assertEquals(new FrameHeader(1, RecordType.INGEST, 71), RecordCodec.peek(GOLDEN_INGEST));
        byte[] headerOnly = java.util.Arrays.copyOf(GOLDEN_INGEST, 8);
        assertEquals(83, RecordCodec.peek(headerOnly).frameLength());
    }

    @Test
    @DisplayName("random pair records (unicode ids, 0-byte to 2 KiB images, huge sequences) survive a round trip")
    void randomPairsRoundTrip() {
        RandomRecords gen = new RandomRecords(11);
        for (int i = 0; i < 2000; i++) {
            PairRecord pair = gen.pair(2048);
            byte[] bytes = RecordCodec.encode(pair);
            PairRecord back = RecordCodec.decodePair(bytes);
            assertEquals(pair, back, "record " + i);
            assertArrayEquals(bytes, RecordCodec.encode(back), "re-encoding record " + i);
            assertEquals(bytes.length, RecordCodec.peek(bytes).frameLength());
        }
    }

    @Test
    @DisplayName("random ingest records of 1 to 64 images survive a round trip")
    void randomIngestsRoundTrip() {
        RandomRecords gen = new RandomRecords(12);
        for (int i = 0; i < 300; i++) {
            IngestRecord ingest = gen.ingest(Limits.MAX_IMAGES_PER_INGEST, 512);
            byte[] bytes = RecordCodec.encode(ingest);
            IngestRecord back = RecordCodec.decodeIngest(bytes);
            assertEquals(ingest, back, "record " + i);
            assertArrayEquals(bytes, RecordCodec.encode(back), "re-encoding record " + i);
        }
    }

    @Test
    @DisplayName("a pair at every field's maximum (128-byte identity, 256-byte ids, two 4 MiB images) round-trips")
    void maximalPairRoundTrips() {
        RandomRecords gen = new RandomRecords(13);
        String identity = "i".repeat(Limits.MAX_IDENTITY_BYTES);
        String sampleId = "\u00e9".repeat(Limits.MAX_ID_BYTES / 2);
        String producerId = "\ud83d\ude00".repeat(Limits.MAX_ID_BYTES / 4);
        PairRecord pair = new PairRecord(identity, Long.MAX_VALUE, producerId,
                new FaceImage(identity, sampleId, ImageEncoding.JPEG, gen.imageBytes(Limits.MAX_IMAGE_BYTES)),
                new FaceImage(identity, sampleId, ImageEncoding.PNG, new byte[Limits.MAX_IMAGE_BYTES]));
        assertEquals(pair, RecordCodec.decodePair(RecordCodec.encode(pair)));
    }

    @Test
    @DisplayName("an ingest record of exactly MAX_RECORD_BYTES encodes and decodes")
    void ingestAtRecordLimitRoundTrips() {
        IngestRecord ingest = ingestOfFrameSize(Limits.MAX_RECORD_BYTES);
        byte[] bytes = RecordCodec.encode(ingest);
        assertEquals(Limits.MAX_RECORD_BYTES, bytes.length);
        assertEquals(ingest, RecordCodec.decodeIngest(bytes));
    }

    /** Four images under identity "x", request "r", sample ids "0".."3": the frame is 100 bytes plus the images. */
    static IngestRecord ingestOfFrameSize(int frameBytes) {
        int rest = frameBytes - 100 - 3 * Limits.MAX_IMAGE_BYTES;
        List<FaceImage> images = List.of(
                new FaceImage("x", "0", ImageEncoding.JPEG, new byte[Limits.MAX_IMAGE_BYTES]),
                new FaceImage("x", "1", ImageEncoding.JPEG, new byte[Limits.MAX_IMAGE_BYTES]),
                new FaceImage("x", "2", ImageEncoding.JPEG, new byte[Limits.MAX_IMAGE_BYTES]),
                new FaceImage("x", "3", ImageEncoding.PNG, new byte[rest]));
        return IngestRecord.of("x", images, "r");
    }
}
