package io.facestream.trainer.data;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PairBatcherTest {

    private record P(String identity, int seq) {
    }

    @Test
    @DisplayName("a pair whose identity is already in the batch waits and leads the next batch")
    void duplicateWaits() {
        PairBatcher<P> batcher = new PairBatcher<>(3, P::identity, 100);
        PairBatcher<P>.Filling f = batcher.start();
        f.offer(new P("a", 0));
        f.offer(new P("a", 1));
        f.offer(new P("b", 2));
        f.offer(new P("c", 3));
        assertTrue(f.full());
        assertEquals(List.of(0, 2, 3), f.pairs().stream().map(P::seq).toList());
        assertEquals(1, batcher.waiting());
        PairBatcher<P>.Filling next = batcher.start();
        assertEquals(List.of(1), next.pairs().stream().map(P::seq).toList());
    }

    @Test
    @DisplayName("over many random streams every batch holds distinct identities and no pair is lost or repeated")
    void invariants() {
        for (int seed = 0; seed < 200; seed++) {
            Random rng = new Random(seed);
            int size = 2 + rng.nextInt(12);
            int identities = size + rng.nextInt(30);
            PairBatcher<P> batcher = new PairBatcher<>(size, P::identity, 10_000);
            List<Integer> seen = new ArrayList<>();
            int seq = 0;
            for (int b = 0; b < 30; b++) {
                PairBatcher<P>.Filling f = batcher.start();
                while (!f.full()) {
                    f.offer(new P("id" + rng.nextInt(identities), seq++));
                }
                Set<String> ids = new HashSet<>();
                for (P p : f.pairs()) {
                    assertTrue(ids.add(p.identity()), "identity twice in one batch, seed " + seed);
                    seen.add(p.seq());
                }
                assertEquals(size, f.pairs().size());
            }
            assertEquals(seen.size(), new HashSet<>(seen).size(), "a pair was batched twice, seed " + seed);
            assertEquals(seq, seen.size() + batcher.waiting(), "a pair was lost, seed " + seed);
        }
    }

    @Test
    @DisplayName("a stream with fewer identities than the batch size fails with a message that says the fix")
    void tooFewIdentities() {
        PairBatcher<P> batcher = new PairBatcher<>(4, P::identity, 10);
        PairBatcher<P>.Filling f = batcher.start();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> {
            for (int i = 0; i < 100; i++) {
                f.offer(new P("id" + (i % 3), i));
            }
        });
        assertTrue(e.getMessage().contains("lower trainer.batchPairs"), e.getMessage());
    }

    @Test
    @DisplayName("a batch size below 2 is refused naming the key")
    void sizeCheck() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new PairBatcher<P>(1, P::identity, 10));
        assertEquals("trainer.batchPairs must be >= 2, got 1", e.getMessage());
    }
}
