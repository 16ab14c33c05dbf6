package io.facestream.sampler.ingest;

import io.facestream.protocol.FaceImage;
import io.facestream.protocol.ImageEncoding;
import io.facestream.protocol.IngestRecord;
import io.facestream.dataset.SyntheticConfig;
import io.facestream.dataset.SyntheticFaces;
import io.facestream.sampler.ingest.IngestStats.Counter;
import io.facestream.sampler.policy.IdentityPolicy;
import io.facestream.sampler.policy.PairSampler;
import io.facestream.sampler.store.IdentityStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IngestApplierTest {
    private static final SyntheticFaces NEWCOMERS = new SyntheticFaces(SyntheticConfig.of(4, 3, 5, 32, 700));

    @TempDir
    Path root;
    private IdentityStore store;
    private PairSampler rotation;
    private IngestStats stats;
    private IngestApplier applier;

    @BeforeEach
    void setUp() throws IOException {
        store = IdentityStore.open(root);
        CombinedSource source = new CombinedSource(null, store);
        rotation = new PairSampler(IdentityPolicy.UNIFORM, 10, 2, 1);
        Ownership ownership = new Ownership(rotation, source, new IdentityPartitions(1));
        ownership.assign(List.of(0));
        stats = new IngestStats("t", EnumSet.of(Counter.RECORDS, Counter.IDENTITIES_ADDED, Counter.IMAGES_ADDED,
                Counter.DUPLICATES_SKIPPED, Counter.DEAD_LETTERED));
        applier = new IngestApplier(source, ownership, ImageCheck.withPixelLimit(1 << 20), stats);
    }

    @AfterEach
    void tearDown() throws IOException {
        store.close();
    }

    private static IngestRecord record(String identity, String requestId, int... indices) {
        return IngestRecord.of(identity, Arrays.stream(indices).mapToObj(i -> NEWCOMERS.read(identity, i)).toList(), requestId);
    }

    @Test
    @DisplayName("a record is stored and drawn at once; the same record again only counts duplicates")
    void applyTwice() throws Exception {
        String id = NEWCOMERS.identities().get(0);
        IngestOutcome first = applier.apply(record(id, "r1", 0, 1, 2));
        assertEquals(new IngestOutcome(id, "r1", 3, 0, true, 3, true), first);
        assertTrue(rotation.eligibleCount() == 1 && rotation.next().identity().equals(id));
        IngestOutcome again = applier.apply(record(id, "r2", 0, 1, 2));
        assertEquals(new IngestOutcome(id, "r2", 0, 3, false, 3, true), again);
        IngestOutcome more = applier.apply(record(id, "r3", 2, 3));
        assertEquals(new IngestOutcome(id, "r3", 1, 1, false, 4, true), more);
        assertEquals(3L, stats.total(Counter.RECORDS));
        assertEquals(1L, stats.total(Counter.IDENTITIES_ADDED));
        assertEquals(4L, stats.total(Counter.IMAGES_ADDED));
        assertEquals(4L, stats.total(Counter.DUPLICATES_SKIPPED));
        try (var files = Files.list(root.resolve(id))) {
            assertEquals(4, files.count());
        }
    }

    @Test
    @DisplayName("one bad image refuses the whole record, naming it, and nothing is stored")
    void badImageRefusesRecord() {
        String id = NEWCOMERS.identities().get(1);
        FaceImage good = NEWCOMERS.read(id, 0);
        byte[] cut = Arrays.copyOf(NEWCOMERS.read(id, 1).bytes(), 300);
        FaceImage truncated = new FaceImage(id, "cut.jpg", ImageEncoding.JPEG, cut);
        FaceImage bomb = new FaceImage(id, "bomb.png", ImageEncoding.PNG, BadImages.pngDeclaring(60_000, 60_000));
        InvalidImagesException e = assertThrows(InvalidImagesException.class,
                () -> applier.apply(IngestRecord.of(id, List.of(good, truncated, bomb), "bad")));
        assertEquals(List.of("cut.jpg", "bomb.png"), e.problems().stream().map(ImageProblem::file).toList());
        assertEquals(List.of(ImageProblem.Reason.CORRUPT, ImageProblem.Reason.TOO_MANY_PIXELS),
                e.problems().stream().map(ImageProblem::reason).toList());
        assertTrue(e.getMessage().contains("\"cut.jpg\"") && e.getMessage().contains("\"bomb.png\""), e.getMessage());
        assertFalse(Files.exists(root.resolve(id)), "nothing stored");
        assertFalse(rotation.contains(id));
        assertEquals(1L, stats.rejected("corrupt"));
        assertEquals(1L, stats.rejected("too_many_pixels"));
        assertEquals(0L, stats.total(Counter.RECORDS));
    }
}
