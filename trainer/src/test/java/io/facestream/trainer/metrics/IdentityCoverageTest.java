package io.facestream.trainer.metrics;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IdentityCoverageTest {

    @Test
    @DisplayName("the window counts the distinct identities of its last steps; identities seen keep counting")
    void slidingWindow() {
        IdentityCoverage c = new IdentityCoverage(2);
        c.step(List.of("a", "b"));
        c.step(List.of("b", "c"));
        assertEquals(new IdentityCoverage.Figures(3, 4, 2, 3, IdentityCoverage.expectedDistinct(3, 4)), c.figures());
        c.step(List.of("d", "d"));
        IdentityCoverage.Figures f = c.figures();
        assertEquals(3, f.distinctIdentities(), "b, c, d");
        assertEquals(4, f.pairs());
        assertEquals(4, f.seenIdentities());
        assertEquals(0.75, f.coverage(), 1e-12);
    }

    @Test
    @DisplayName("expected distinct identities of a uniform draw: hand-computed cases")
    void expectedDistinct() {
        assertEquals(0, IdentityCoverage.expectedDistinct(0, 10));
        assertEquals(0, IdentityCoverage.expectedDistinct(10, 0));
        assertEquals(1, IdentityCoverage.expectedDistinct(1, 5), 1e-12);
        // 2 identities, 2 draws: 1 distinct with probability 1/2, 2 with 1/2
        assertEquals(1.5, IdentityCoverage.expectedDistinct(2, 2), 1e-12);
        // 4 identities, 2 draws: 4 (1 - (3/4)^2) = 1.75
        assertEquals(1.75, IdentityCoverage.expectedDistinct(4, 2), 1e-12);
    }

    @Test
    @DisplayName("uniform draws stay near the expectation; draws from a quarter of the catalog fall far below it")
    void uniformVersusOnePartition() {
        SplittableRandom rng = new SplittableRandom(5);
        int catalog = 400;
        int batch = 16;
        IdentityCoverage uniform = new IdentityCoverage(IdentityCoverage.DEFAULT_STEPS);
        IdentityCoverage quarter = new IdentityCoverage(IdentityCoverage.DEFAULT_STEPS);
        Set<String> all = new HashSet<>();
        for (int i = 0; i < catalog; i++) {
            all.add("id-" + i);
        }
        // the catalog is known to both (a run long enough to have seen it all)
        uniform.step(all);
        quarter.step(all);
        for (int s = 0; s < IdentityCoverage.DEFAULT_STEPS; s++) {
            List<String> u = new ArrayList<>();
            List<String> q = new ArrayList<>();
            for (int i = 0; i < batch; i++) {
                u.add("id-" + rng.nextInt(catalog));
                q.add("id-" + rng.nextInt(catalog / 4));
            }
            uniform.step(u);
            quarter.step(q);
        }
        IdentityCoverage.Figures fu = uniform.figures();
        IdentityCoverage.Figures fq = quarter.figures();
        assertEquals(IdentityCoverage.expectedDistinct(catalog, batch * IdentityCoverage.DEFAULT_STEPS),
                fu.expectedUniform(), 1e-9);
        assertTrue(Math.abs(fu.distinctIdentities() - fu.expectedUniform()) < 30, fu.toString());
        assertTrue(fq.distinctIdentities() <= catalog / 4, fq.toString());
    }

    @Test
    @DisplayName("a window of no steps is refused")
    void badWindow() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new IdentityCoverage(0));
        assertTrue(e.getMessage().contains("got 0"), e.getMessage());
    }
}
