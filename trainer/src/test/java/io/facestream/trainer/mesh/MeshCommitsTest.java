package io.facestream.trainer.mesh;

import io.facestream.trainer.kafka.RecordedCommits;
import io.facestream.trainer.model.EmbeddingModel;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class MeshCommitsTest {

    /** The root's step as the replica hears it, set by the test. */
    private static final class RootClock implements GradientMesh {
        long rootStep;

        @Override
        public void join(EmbeddingModel model) {
        }

        @Override
        public void betweenSteps(EmbeddingModel model) {
        }

        @Override
        public void drain(EmbeddingModel model, Duration quiet, Duration max) {
        }

        @Override
        public MeshStats stats() {
            return MeshStats.ALONE;
        }

        @Override
        public boolean root() {
            return false;
        }

        @Override
        public long meshStep() {
            return rootStep;
        }

        @Override
        public String id() {
            return "replica";
        }

        @Override
        public void close() {
        }
    }

    @Test
    @DisplayName("a replica commits a step's offsets only once a root checkpoint at least two root steps later holds it")
    void commitsWhatRootCheckpointsCover() {
        RecordedCommits source = new RecordedCommits();
        RootClock clock = new RootClock();
        MeshCommits commits = new MeshCommits(source, clock, 10, () -> -1);
        clock.rootStep = 7;
        source.acknowledged = Map.of(0, 100L);
        commits.afterStep(null, 1);
        clock.rootStep = 9;
        source.acknowledged = Map.of(0, 110L);
        commits.afterStep(null, 2);
        assertEquals(List.of(), source.commits, "no root checkpoint after these steps yet");
        clock.rootStep = 10;
        source.acknowledged = Map.of(0, 120L);
        commits.afterStep(null, 3);
        assertEquals(List.of(Map.of(0, 100L)), source.commits,
                "the checkpoint of root step 10 holds the update sent at root step 7 (+2), not the one at 9");
        clock.rootStep = 21;
        commits.idle(null, 3);
        assertEquals(List.of(Map.of(0, 100L), Map.of(0, 120L)), source.commits,
                "the checkpoint of root step 20 covers the rest");
        commits.idle(null, 3);
        assertEquals(2, source.commits.size(), "nothing new, nothing committed");
    }

    @Test
    @DisplayName("a replica out of pairs counts a root checkpoint it can see at a step no multiple tells")
    void countsTheRootsIdleCheckpoint() {
        RecordedCommits source = new RecordedCommits();
        RootClock clock = new RootClock();
        long[] seen = {-1};
        MeshCommits commits = new MeshCommits(source, clock, 100, () -> seen[0]);
        clock.rootStep = 150;
        source.acknowledged = Map.of(2, 5000L);
        commits.afterStep(null, 160);
        clock.rootStep = 191;
        source.acknowledged = Map.of(2, 5800L);
        commits.afterStep(null, 220);
        commits.idle(null, 220);
        assertEquals(List.of(), source.commits, "the root's newest multiple, 100, is before both steps");
        seen[0] = 192; // the root ran out of pairs at step 192 and checkpointed there
        commits.afterStep(null, 221);
        assertEquals(List.of(), source.commits, "looked for only when out of pairs");
        commits.idle(null, 221);
        assertEquals(List.of(Map.of(2, 5000L)), source.commits,
                "the checkpoint of step 192 holds the update sent at root step 150, not the one at 191 (+2)");
        seen[0] = -1; // pruned, or a new run's: what was seen still holds
        clock.rootStep = 194;
        commits.idle(null, 221);
        assertEquals(1, source.commits.size());
    }
}
