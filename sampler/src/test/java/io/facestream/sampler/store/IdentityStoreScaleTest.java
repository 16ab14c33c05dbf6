package io.facestream.sampler.store;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Bulk ingest of n new identities is O(n): each ingest ends with {@link IdentityStore#refresh}, which must not
 * copy or search the list of every identity. Work is counted as the bytes the refreshing thread allocates (a copy
 * of an n-long list allocates in proportion to n), per identity, at two sizes; not timed.
 */
class IdentityStoreScaleTest {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @TempDir
    Path dir;

    /** Bytes allocated per identity while the store picks up {@code n} identities new to it, one by one. */
    private long bytesPerNewIdentity(Path root, int n) throws IOException {
        try (IdentityStore store = IdentityStore.open(root)) {
            for (int i = 0; i < n; i++) {
                Path identity = Files.createDirectories(root.resolve(String.format("person-%05d", i)));
                Files.write(identity.resolve("a.jpg"), new byte[]{1});
            }
            long before = THREADS.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < n; i++) {
                store.refresh(String.format("person-%05d", i));
            }
            long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
            assertEquals(n, store.images().identities().size());
            return allocated / n;
        }
    }

    @Test
    @DisplayName("picking up n new identities allocates the same per identity at n = 1,000 and n = 4,000 (no per-ingest "
            + "copy of the identity list)")
    void refreshIsLinear() throws IOException {
        assumeTrue(THREADS.isThreadAllocatedMemorySupported() && THREADS.isThreadAllocatedMemoryEnabled(),
                "this JVM cannot count allocated bytes per thread");
        bytesPerNewIdentity(dir.resolve("warm-up"), 300);
        long small = bytesPerNewIdentity(dir.resolve("small"), 1_000);
        long large = bytesPerNewIdentity(dir.resolve("large"), 4_000);
        // linear: the same per identity (ratio ~1); a copy per ingest: ~4x more per identity at 4x the size
        assertTrue(large < small * 1.5, "bytes allocated per new identity grew with the store size: " + small
                + " at 1,000 identities, " + large + " at 4,000");
    }
}
