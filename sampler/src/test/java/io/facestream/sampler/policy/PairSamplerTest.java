package io.facestream.sampler.policy;

import io.facestream.protocol.ProtocolException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PairSamplerTest {

    @Test
    @DisplayName("every pair is one catalog identity with two distinct in-range images, over many seeds and shapes")
    void pairsAreValid() {
        for (long seed = 0; seed < 30; seed++) {
            SplittableRandom shape = new SplittableRandom(seed);
            Map<String, Integer> catalog = randomCatalog(shape, 1 + shape.nextInt(60), 1 + shape.nextInt(300));
            int bufferSize = 1 + shape.nextInt(120);
            IdentityPolicy policy = IdentityPolicy.values()[shape.nextInt(2)];
            PairSampler sampler = sampler(policy, bufferSize, 2, seed, catalog);
            for (int i = 0; i < 2_000; i++) {
                PairDraw draw = sampler.next();
                Integer count = catalog.get(draw.identity());
                assertTrue(count != null && count >= 2, () -> "drew " + draw + " from " + catalog);
                assertNotEquals(draw.first(), draw.second(), draw::toString);
                assertTrue(draw.first() >= 0 && draw.first() < count && draw.second() >= 0 && draw.second() < count,
                        () -> draw + " out of range for " + count + " images");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(IdentityPolicy.class)
    @DisplayName("identities are visited in proportion to the policy: 1/n for UNIFORM, count/total for WEIGHTED")
    void frequenciesFollowThePolicy(IdentityPolicy policy) {
        for (long seed = 0; seed < 3; seed++) {
            Map<String, Integer> catalog = randomCatalog(new SplittableRandom(seed + 100), 150, 40);
            PairSampler sampler = sampler(policy, 100, 2, seed, catalog);
            List<String> ids = new ArrayList<>();
            long totalImages = 0;
            for (Map.Entry<String, Integer> e : catalog.entrySet()) {
                if (e.getValue() >= 2) {
                    ids.add(e.getKey());
                    totalImages += e.getValue();
                }
            }
            int draws = 150_000;
            Map<String, Long> seen = new HashMap<>();
            for (int i = 0; i < draws; i++) {
                seen.merge(sampler.next().identity(), 1L, Long::sum);
            }
            long[] observed = new long[ids.size()];
            double[] expected = new double[ids.size()];
            for (int i = 0; i < ids.size(); i++) {
                observed[i] = seen.getOrDefault(ids.get(i), 0L);
                double p = policy == IdentityPolicy.UNIFORM ? 1.0 / ids.size()
                        : catalog.get(ids.get(i)) / (double) totalImages;
                expected[i] = draws * p;
            }
            assertEquals(ids.size(), seen.size(), "only eligible identities are drawn, each at least once");
            double chi = Stats.chiSquare(observed, expected);
            double bound = Stats.chiSquareBound(ids.size() - 1);
            assertTrue(chi < bound, () -> policy + " chi-square " + chi + " >= " + bound);
        }
    }

    @Test
    @DisplayName("a biased sampler fails the frequency test, so the test can tell")
    void frequencyTestDetectsBias() {
        Map<String, Integer> catalog = randomCatalog(new SplittableRandom(5), 150, 40);
        PairSampler weighted = sampler(IdentityPolicy.WEIGHTED, 100, 2, 5, catalog);
        List<String> ids = new ArrayList<>();
        catalog.forEach((id, n) -> {
            if (n >= 2) {
                ids.add(id);
            }
        });
        Map<String, Long> seen = new HashMap<>();
        int draws = 150_000;
        for (int i = 0; i < draws; i++) {
            seen.merge(weighted.next().identity(), 1L, Long::sum);
        }
        long[] observed = ids.stream().mapToLong(id -> seen.getOrDefault(id, 0L)).toArray();
        assertTrue(Stats.chiSquare(observed, draws / (double) ids.size()) > Stats.chiSquareBound(ids.size() - 1),
                "WEIGHTED draws judged against UNIFORM expectations must fail");
    }

    @Test
    @DisplayName("the whole catalog is visited, not the first cycle_length identities: 10,000 identities all drawn")
    void wholeCatalogIsVisited() {
        PairSampler sampler = new PairSampler(IdentityPolicy.UNIFORM, 100, 2, 42);
        for (int i = 0; i < 10_000; i++) {
            sampler.addIdentity("id" + i, 3 + i % 5);
        }
        Set<String> seen = new HashSet<>();
        // 20 draws per identity on average: P(some identity unseen) ~ 10^4 * e^-20 ~ 2e-5
        for (int i = 0; i < 200_000; i++) {
            seen.add(sampler.next().identity());
        }
        assertEquals(10_000, seen.size());
        assertEquals(10_000, sampler.bufferCount(), "one buffer per drawn identity, created lazily");
    }

    @Test
    @DisplayName("each identity's images come out in shuffle-buffer passes: every image once per pass")
    void perIdentityPassesArePermutations() {
        Map<String, Integer> catalog = new LinkedHashMap<>();
        catalog.put("a", 7);
        catalog.put("b", 30);
        catalog.put("c", 2);
        PairSampler sampler = sampler(IdentityPolicy.UNIFORM, 5, 2, 9, catalog);
        Map<String, List<Integer>> streams = new HashMap<>();
        for (int i = 0; i < 3_000; i++) {
            PairDraw d = sampler.next();
            List<Integer> s = streams.computeIfAbsent(d.identity(), k -> new ArrayList<>());
            s.add(d.first());
            s.add(d.second());
        }
        streams.forEach((id, s) -> {
            int count = catalog.get(id);
            for (int pass = 0; (pass + 1) * count <= s.size(); pass++) {
                Set<Integer> distinct = new HashSet<>(s.subList(pass * count, (pass + 1) * count));
                assertEquals(count, distinct.size(), id + " pass " + pass);
            }
        });
    }

    @Test
    @DisplayName("identities below minImages are held back until they grow, then drawn")
    void heldBackUntilGrown() {
        PairSampler sampler = new PairSampler(IdentityPolicy.WEIGHTED, 100, 3, 1);
        sampler.addIdentity("big", 10);
        sampler.addIdentity("two", 2);
        sampler.addIdentity("none", 0);
        assertEquals(3, sampler.identityCount());
        assertEquals(1, sampler.eligibleCount());
        for (int i = 0; i < 500; i++) {
            assertEquals("big", sampler.next().identity());
        }
        sampler.updateCount("two", 3);
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 500; i++) {
            seen.add(sampler.next().identity());
        }
        assertEquals(Set.of("big", "two"), seen);
        sampler.updateCount("big", 1);
        for (int i = 0; i < 200; i++) {
            assertEquals("two", sampler.next().identity(), "big fell below minImages and is held back");
        }
    }

    @Test
    @DisplayName("with minImages 1 a one-image identity gives a pair of the same image")
    void oneImagePair() {
        PairSampler sampler = new PairSampler(IdentityPolicy.UNIFORM, 100, 1, 1);
        sampler.addIdentity("solo", 1);
        assertEquals(new PairDraw("solo", 0, 0), sampler.next());
        sampler.updateCount("solo", 2);
        PairDraw d = sampler.next();
        assertNotEquals(d.first(), d.second());
    }

    @Test
    @DisplayName("adding, removing and growing identities while sampling changes what is drawn right away")
    void catalogChangesWhileSampling() {
        for (IdentityPolicy policy : IdentityPolicy.values()) {
            PairSampler sampler = new PairSampler(policy, 4, 2, 11);
            Map<String, Integer> live = new HashMap<>();
            SplittableRandom ops = new SplittableRandom(11);
            int nextId = 0;
            for (int round = 0; round < 400; round++) {
                int op = ops.nextInt(4);
                if (op == 0 || live.size() < 2) {
                    String id = "n" + nextId++;
                    int count = ops.nextInt(8);
                    sampler.addIdentity(id, count);
                    live.put(id, count);
                } else if (op == 1) {
                    String id = pick(live, ops);
                    assertTrue(sampler.removeIdentity(id));
                    assertFalse(sampler.contains(id));
                    live.remove(id);
                } else {
                    String id = pick(live, ops);
                    int count = live.get(id) + ops.nextInt(5);
                    sampler.updateCount(id, count);
                    live.put(id, count);
                }
                long eligible = live.values().stream().filter(c -> c >= 2).count();
                assertEquals(eligible, sampler.eligibleCount());
                for (int i = 0; i < 20 && eligible > 0; i++) {
                    PairDraw d = sampler.next();
                    Integer count = live.get(d.identity());
                    assertTrue(count != null && count >= 2, () -> policy + " drew " + d + " from " + live);
                    assertTrue(d.first() < count && d.second() < count && d.first() != d.second(), d::toString);
                }
            }
        }
    }

    @Test
    @DisplayName("a shrunk identity restarts its buffer and never yields an index past its new count")
    void shrinkRestartsBuffer() {
        PairSampler sampler = new PairSampler(IdentityPolicy.UNIFORM, 100, 2, 3);
        sampler.addIdentity("x", 50);
        for (int i = 0; i < 10; i++) {
            sampler.next();
        }
        sampler.updateCount("x", 4);
        for (int i = 0; i < 100; i++) {
            PairDraw d = sampler.next();
            assertTrue(d.first() < 4 && d.second() < 4, d::toString);
        }
    }

    @Test
    @DisplayName("draws while another thread adds and removes identities stay valid")
    void concurrentChanges() throws InterruptedException {
        PairSampler sampler = new PairSampler(IdentityPolicy.WEIGHTED, 10, 2, 8);
        sampler.addIdentity("stay", 5);
        Map<String, Integer> everAdded = new ConcurrentHashMap<>();
        everAdded.put("stay", 5);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        Thread mutator = new Thread(() -> {
            try {
                for (int i = 0; i < 5_000; i++) {
                    String id = "t" + (i % 50);
                    if (sampler.removeIdentity(id)) {
                        continue;
                    }
                    everAdded.merge(id, 2 + i % 7, Math::max);
                    sampler.addIdentity(id, 2 + i % 7);
                }
            } catch (Throwable t) {
                failure.set(t);
            } finally {
                done.countDown();
            }
        }, "mutator");
        mutator.start();
        int drawn = 0;
        while (done.getCount() > 0 || drawn < 1_000) {
            PairDraw d = sampler.next();
            Integer max = everAdded.get(d.identity());
            assertTrue(max != null && d.first() < max && d.second() < max && d.first() != d.second(), d::toString);
            drawn++;
        }
        assertTrue(done.await(10, TimeUnit.SECONDS));
        assertNull(failure.get());
    }

    @Test
    @DisplayName("the same seed and calls give the same pairs; another seed gives others")
    void reproducible() {
        Map<String, Integer> catalog = randomCatalog(new SplittableRandom(77), 40, 30);
        List<PairDraw> a = drawList(sampler(IdentityPolicy.WEIGHTED, 16, 2, 123, catalog), 500);
        List<PairDraw> b = drawList(sampler(IdentityPolicy.WEIGHTED, 16, 2, 123, catalog), 500);
        List<PairDraw> c = drawList(sampler(IdentityPolicy.WEIGHTED, 16, 2, 124, catalog), 500);
        assertEquals(a, b);
        assertNotEquals(a, c);
    }

    @Test
    @DisplayName("an empty or all-held-back catalog says why next() cannot draw; tryNext gives nothing")
    void nothingEligible() {
        PairSampler sampler = new PairSampler(IdentityPolicy.UNIFORM, 100, 2, 1);
        sampler.addIdentity("one", 1);
        NoEligibleIdentityException e = assertThrows(NoEligibleIdentityException.class, sampler::next);
        assertEquals("no identity has >= 2 images (1 in the catalog, all held back): add images or lower minImages",
                e.getMessage());
        assertTrue(sampler.tryNext().isEmpty());
        sampler.removeIdentity("one");
        assertTrue(sampler.tryNext().isEmpty());
    }

    @Test
    @DisplayName("bad arguments are refused with the key and value named")
    void refusals() {
        assertEquals("bufferSize must be >= 1, got 0", assertThrows(IllegalArgumentException.class,
                () -> new PairSampler(IdentityPolicy.UNIFORM, 0, 2, 1)).getMessage());
        assertEquals("minImages must be >= 1, got 0", assertThrows(IllegalArgumentException.class,
                () -> new PairSampler(IdentityPolicy.UNIFORM, 10, 0, 1)).getMessage());
        PairSampler sampler = new PairSampler(IdentityPolicy.UNIFORM, 10, 2, 1);
        sampler.addIdentity("a", 3);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> sampler.addIdentity("a", 4)).getMessage()
                .contains("already in the catalog"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> sampler.updateCount("b", 4)).getMessage()
                .contains("\"b\" is not in the catalog"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> sampler.addIdentity("c", -1)).getMessage()
                .contains("got -1"));
        assertThrows(ProtocolException.class, () -> sampler.addIdentity("bad id", 3));
        assertFalse(sampler.removeIdentity("never"));
    }

    private static PairSampler sampler(IdentityPolicy policy, int bufferSize, int minImages, long seed,
                                       Map<String, Integer> catalog) {
        PairSampler sampler = new PairSampler(policy, bufferSize, minImages, seed);
        catalog.forEach(sampler::addIdentity);
        return sampler;
    }

    /** At least one identity with >= 2 images, the others with 0..maxImages. */
    private static Map<String, Integer> randomCatalog(SplittableRandom rng, int identities, int maxImages) {
        Map<String, Integer> catalog = new LinkedHashMap<>();
        catalog.put("id-0", 2 + rng.nextInt(Math.max(1, maxImages - 1)));
        for (int i = 1; i < identities; i++) {
            catalog.put("id-" + i, rng.nextInt(maxImages + 1));
        }
        return catalog;
    }

    private static List<PairDraw> drawList(PairSampler sampler, int n) {
        List<PairDraw> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(sampler.next());
        }
        return out;
    }

    private static String pick(Map<String, Integer> live, SplittableRandom rng) {
        List<String> ids = new ArrayList<>(live.keySet());
        ids.sort(null);
        return ids.get(rng.nextInt(ids.size()));
    }
}
