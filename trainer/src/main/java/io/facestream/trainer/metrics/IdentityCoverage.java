package io.facestream.trainer.metrics;

import java.util.ArrayDeque;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How much of the catalog the last {@code steps} training steps covered: the distinct identities of their pairs
 * against the identities seen since the trainer started (the catalog as far as the trainer can know it), and the
 * number a uniform draw of as many pairs from that many identities would give on average,
 * {@code N (1 - (1 - 1/N)^M)} for M pairs and N identities. A trainer whose stream mixes the whole catalog stays
 * near that expectation; one fed a quarter of the identities (one partition of four) stays near a quarter of the
 * catalog. Not thread-safe: the training thread records each step.
 */
public final class IdentityCoverage {
    /** Steps the window covers by default. */
    public static final int DEFAULT_STEPS = 50;

    private final int steps;
    private final ArrayDeque<List<String>> window = new ArrayDeque<>();
    private final Map<String, Integer> inWindow = new HashMap<>();
    private final Set<String> seen = new HashSet<>();
    private int pairsInWindow;

    /**
     * @param distinctIdentities identities in the last {@code steps} steps
     * @param pairs              pairs in those steps
     * @param steps              steps in the window (fewer at the start)
     * @param seenIdentities     identities seen since the trainer started
     * @param expectedUniform    distinct identities a uniform draw of {@code pairs} from {@code seenIdentities}
     *                           gives on average
     */
    public record Figures(int distinctIdentities, int pairs, int steps, int seenIdentities, double expectedUniform) {
        /** Distinct identities of the window over the identities seen (0 before any). */
        public double coverage() {
            return seenIdentities == 0 ? 0 : distinctIdentities / (double) seenIdentities;
        }
    }

    public IdentityCoverage(int steps) {
        if (steps < 1) {
            throw new IllegalArgumentException("coverage window must be >= 1 step, got " + steps);
        }
        this.steps = steps;
    }

    /** Records the identities of one step's pairs. */
    public void step(Collection<String> identities) {
        List<String> ids = List.copyOf(identities);
        window.addLast(ids);
        pairsInWindow += ids.size();
        for (String id : ids) {
            inWindow.merge(id, 1, Integer::sum);
            seen.add(id);
        }
        while (window.size() > steps) {
            List<String> old = window.pollFirst();
            pairsInWindow -= old.size();
            for (String id : old) {
                inWindow.computeIfPresent(id, (k, n) -> n == 1 ? null : n - 1);
            }
        }
    }

    public Figures figures() {
        return new Figures(inWindow.size(), pairsInWindow, window.size(), seen.size(),
                expectedDistinct(seen.size(), pairsInWindow));
    }

    /** Distinct identities expected from {@code draws} uniform draws (with replacement) from {@code catalog}. */
    public static double expectedDistinct(int catalog, int draws) {
        if (catalog == 0 || draws == 0) {
            return 0;
        }
        return catalog * -Math.expm1(draws * Math.log1p(-1.0 / catalog));
    }
}
