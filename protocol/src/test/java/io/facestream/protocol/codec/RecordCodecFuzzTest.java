package io.facestream.protocol.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.protocol.ProtocolException;
import io.facestream.protocol.ProtocolException.Reason;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class RecordCodecFuzzTest {
    private static final Logger LOG = LoggerFactory.getLogger(RecordCodecFuzzTest.class);
    private static final int MUTATIONS = 200_000;

    @Test
    @DisplayName("200,000 mutated records either fail with ProtocolException or decode to a record that re-encodes to the same bytes")
    void mutatedRecordsNeverCrashTheDecoder() {
        RandomRecords gen = new RandomRecords(31);
        List<byte[]> seeds = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            seeds.add(RecordCodec.encode(gen.pair(48)));
            seeds.add(RecordCodec.encode(gen.ingest(4, 32)));
        }
        Random rnd = new Random(32);
        Mutator mutator = new Mutator(rnd, seeds);
        Map<Reason, Integer> refused = new EnumMap<>(Reason.class);
        int decoded = 0;
        long started = System.nanoTime();
        long cpuStarted = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
        for (int i = 0; i < MUTATIONS; i++) {
            int kind = rnd.nextInt(Mutator.KINDS.length);
            byte[] input = mutator.mutate(seeds.get(rnd.nextInt(seeds.size())), kind);
            int n = i;
            Supplier<String> context = () -> "mutation " + n + " (" + Mutator.KINDS[kind] + ") of "
                    + HexFormat.of().formatHex(input);
            // the decoder the type byte asks for, so that a mutated type byte feeds one body to the other's parser
            boolean asPair = input.length > 3 && (input[3] == 1 || input[3] == 2) ? input[3] == 1 : rnd.nextBoolean();
            decoded += asPair
                    ? decodeOrRefuse(input, RecordCodec::decodePair, RecordCodec::encode, refused, context)
                    : decodeOrRefuse(input, RecordCodec::decodeIngest, RecordCodec::encode, refused, context);
        }
        LOG.info("fuzz: {} mutations in {} ms ({} ms CPU), {} decoded validly, refused by reason {}", MUTATIONS,
                (System.nanoTime() - started) / 1_000_000,
                (ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - cpuStarted) / 1_000_000, decoded, refused);
        for (Reason r : List.of(Reason.TRUNCATED, Reason.BAD_MAGIC, Reason.UNKNOWN_VERSION, Reason.WRONG_TYPE,
                Reason.BAD_CRC, Reason.BAD_LENGTH, Reason.INVALID_FIELD, Reason.TRAILING_BYTES)) {
            assertTrue(refused.getOrDefault(r, 0) > 100, "the fuzz barely reached " + r + ": " + refused);
        }
    }

    /** @return 1 if the input decoded (after checking it re-encodes to itself), 0 if refused */
    private static <T> int decodeOrRefuse(byte[] input, Function<byte[], T> decode, Function<T, byte[]> encode,
            Map<Reason, Integer> refused, Supplier<String> context) {
        T record;
        try {
            record = decode.apply(input);
        } catch (ProtocolException e) {
            assertFalse(e.detail() == null || e.detail().isBlank(), context);
            refused.merge(e.reason(), 1, Integer::sum);
            return 0;
        } catch (RuntimeException | Error e) {
            throw new AssertionError("not a ProtocolException: " + context.get(), e);
        }
        // the format has one encoding per record, so a mutation that still decodes must be that encoding
        assertArrayEquals(input, encode.apply(record), context);
        return 1;
    }
}
