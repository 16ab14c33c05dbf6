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
        MeshCommits commits = new MeshCommits(source, clock, 10);
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
}
