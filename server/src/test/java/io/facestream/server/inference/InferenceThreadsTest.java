package io.facestream.server.inference;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class InferenceThreadsTest {

    @Test
    @DisplayName("a batch under parallelFrom runs on one thread, a larger one on the configured threads or OpenMP's "
            + "default")
    void threadsByBatch() {
        InferenceThreads defaults = InferenceThreads.DEFAULT;
        assertEquals(1, defaults.forBatch(1, 8));
        assertEquals(1, defaults.forBatch(15, 8));
        assertEquals(8, defaults.forBatch(16, 8), "0 threads: OpenMP's default");
        InferenceThreads three = new InferenceThreads(3, 4);
        assertEquals(1, three.forBatch(3, 8));
        assertEquals(3, three.forBatch(4, 8));
        assertEquals(3, new InferenceThreads(3, 1).forBatch(1, 8), "parallelFrom 1: every batch on the threads");
        assertEquals("server.api.inferenceThreads must be >= 0, got -1",
                assertThrows(IllegalArgumentException.class, () -> new InferenceThreads(-1, 16)).getMessage());
        assertEquals("server.api.parallelFromBatch must be >= 1, got 0",
                assertThrows(IllegalArgumentException.class, () -> new InferenceThreads(0, 0)).getMessage());
    }

    @Test
    @DisplayName("apply sets OpenMP's thread count on the calling thread only: 3 for a large batch, 1 for a small one")
    void appliesToTheCallingThreadOnly() throws Exception {
        CompletableFuture<int[]> seen = new CompletableFuture<>();
        Thread inference = new Thread(() -> {
            try {
                int before = ompMaxThreads();
                // 3: a count no default here has (OpenMP allows more threads than cores)
                InferenceThreads threads = new InferenceThreads(before == 3 ? 4 : 3, 16);
                int large = threads.apply(32);
                int inLarge = ompMaxThreads();
                CompletableFuture<Integer> other = CompletableFuture.supplyAsync(InferenceThreadsTest::ompMaxThreads,
                        r -> new Thread(r).start());
                int otherThreads = other.get(30, TimeUnit.SECONDS);
                int small = threads.apply(2);
                seen.complete(new int[] {before, threads.threads(), large, inLarge, otherThreads, small,
                        ompMaxThreads()});
            } catch (Throwable e) {
                seen.completeExceptionally(e);
            }
        }, "inference-threads-test");
        inference.start();
        int[] s = seen.get(60, TimeUnit.SECONDS);
        int configured = s[1];
        assertEquals(configured, s[2], "threads for a batch of 32");
        assertEquals(configured, s[3], "OpenMP's count on the calling thread after a batch of 32");
        assertEquals(s[0], s[4], "another thread's OpenMP count, while the calling thread has " + configured);
        assertEquals(1, s[5], "threads for a batch of 2");
        assertEquals(1, s[6], "OpenMP's count on the calling thread after a batch of 2");
    }

    private static int ompMaxThreads() {
        return InferenceThreads.nativeOps().ompGetMaxThreads();
    }
}
