package io.facestream.sampler.ingest;

import io.facestream.protocol.FaceImage;
import io.facestream.dataset.SyntheticConfig;
import io.facestream.dataset.SyntheticFaces;
import io.facestream.sampler.policy.IdentityPolicy;
import io.facestream.sampler.policy.PairDraw;
import io.facestream.sampler.policy.PairSampler;
import io.facestream.sampler.store.IdentityStore;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OwnershipTest {
    private static final SyntheticFaces CATALOG = new SyntheticFaces(SyntheticConfig.of(9, 60, 3, 32, 0));
    /** Faces of people the catalog does not hold, to ingest. */
    private static final SyntheticFaces NEWCOMERS = new SyntheticFaces(SyntheticConfig.of(9, 10, 4, 32, 500));
    private static final IdentityPartitions FOUR = new IdentityPartitions(4);

    @TempDir
    Path root;

    private static PairSampler rotation() {
        return new PairSampler(IdentityPolicy.UNIFORM, 10, 2, 1);
    }

    private static Set<String> inRotation(PairSampler rotation, CombinedSource source) {
        Set<String> out = new HashSet<>();
        for (String id : source.identities()) {
            if (rotation.contains(id)) {
                out.add(id);
            }
        }
        return out;
    }

    private static Set<String> ofPartitions(List<String> identities, Set<Integer> partitions) {
        Set<String> out = new HashSet<>();
        identities.stream().filter(id -> partitions.contains(FOUR.of(id))).forEach(out::add);
        return out;
    }

    @Test
    @DisplayName("assigned partitions bring exactly their identities into the rotation, revoked ones take them out")
    void assignAndRevoke() throws IOException {
        try (IdentityStore store = IdentityStore.open(root)) {
            CombinedSource source = new CombinedSource(CATALOG, store);
            PairSampler rotation = rotation();
            Ownership ownership = new Ownership(rotation, source, FOUR);
            assertEquals(0, rotation.identityCount(), "nothing is owned before the first assignment");
            int added = ownership.assign(List.of(0, 2));
            Set<String> expected = ofPartitions(CATALOG.identities(), Set.of(0, 2));
            assertEquals(expected, inRotation(rotation, source));
            assertEquals(expected.size(), added);
            assertEquals(List.of(0, 2), ownership.ownedPartitions());
            ownership.revoke(List.of(0));
            assertEquals(ofPartitions(CATALOG.identities(), Set.of(2)), inRotation(rotation, source));
            ownership.assign(List.of(1, 3));
            assertEquals(ofPartitions(CATALOG.identities(), Set.of(1, 2, 3)), inRotation(rotation, source));
            for (int i = 0; i < 200; i++) {
                PairDraw draw = rotation.next();
                assertTrue(ownership.owns(draw.identity()), draw::toString);
            }
        }
    }

    @Test
    @DisplayName("replicas splitting the partitions at random own disjoint identities that together are the catalog")
    void replicasPartitionTheCatalog() throws IOException {
        SplittableRandom rng = new SplittableRandom(17);
        for (int trial = 0; trial < 25; trial++) {
            int replicas = 1 + rng.nextInt(4);
            List<Set<Integer>> split = new ArrayList<>();
            for (int r = 0; r < replicas; r++) {
                split.add(new HashSet<>());
            }
            for (int p = 0; p < 4; p++) {
                split.get(rng.nextInt(replicas)).add(p);
            }
            Set<String> union = new HashSet<>();
            int total = 0;
            try (IdentityStore store = IdentityStore.open(root)) {
                for (Set<Integer> mine : split) {
                    CombinedSource source = new CombinedSource(CATALOG, store);
                    PairSampler rotation = rotation();
                    new Ownership(rotation, source, FOUR).assign(mine);
                    Set<String> owned = inRotation(rotation, source);
                    total += owned.size();
                    union.addAll(owned);
                }
            }
            assertEquals(60, total, "no identity owned twice");
            assertEquals(new HashSet<>(CATALOG.identities()), union, "every identity owned once");
        }
    }

    @Test
    @DisplayName("an ingested identity joins the owner's rotation at once, held back until it has two images")
    void ingestJoinsRotation() throws IOException {
        try (IdentityStore store = IdentityStore.open(root)) {
            CombinedSource source = new CombinedSource(CATALOG, store);
            PairSampler rotation = rotation();
            Ownership ownership = new Ownership(rotation, source, FOUR);
            String newcomer = NEWCOMERS.identities().get(0);
            int home = FOUR.of(newcomer);
            ownership.assign(List.of(home));
            int eligibleBefore = rotation.eligibleCount();

            store.put(newcomer, List.of(NEWCOMERS.read(newcomer, 0)));
            assertTrue(ownership.refresh(newcomer), "new to the rotation");
            assertTrue(rotation.contains(newcomer));
            assertEquals(eligibleBefore, rotation.eligibleCount(), "one image: held back");

            store.put(newcomer, List.of(NEWCOMERS.read(newcomer, 1), NEWCOMERS.read(newcomer, 2)));
            assertFalse(ownership.refresh(newcomer), "already in the rotation: grown");
            assertEquals(eligibleBefore + 1, rotation.eligibleCount());
            assertEquals(3, source.imageCount(newcomer));

            String stranger = NEWCOMERS.identities().stream().filter(id -> FOUR.of(id) != home).findFirst().orElseThrow();
            store.put(stranger, List.of(NEWCOMERS.read(stranger, 0), NEWCOMERS.read(stranger, 1)));
            assertFalse(ownership.refresh(stranger));
            assertFalse(rotation.contains(stranger), "another replica's identity stays out");
        }
    }

    @Test
    @DisplayName("a replica taking a partition over finds the images another replica stored for it meanwhile")
    void takeOverFindsStoredImages() throws IOException {
        String newcomer = NEWCOMERS.identities().get(3);
        String known = CATALOG.identities().stream().filter(id -> FOUR.of(id) == FOUR.of(newcomer)).findFirst().orElseThrow();
        try (IdentityStore storeOfB = IdentityStore.open(root); IdentityStore storeOfA = IdentityStore.open(root)) {
            CombinedSource sourceOfB = new CombinedSource(CATALOG, storeOfB);
            PairSampler rotationOfB = rotation();
            Ownership b = new Ownership(rotationOfB, sourceOfB, FOUR);
            // replica A owns the partition and stores images while B runs without it
            Ownership a = new Ownership(rotation(), new CombinedSource(CATALOG, storeOfA), FOUR);
            a.assign(List.of(FOUR.of(newcomer)));
            storeOfA.put(newcomer, List.of(NEWCOMERS.read(newcomer, 0), NEWCOMERS.read(newcomer, 1)));
            storeOfA.put(known, List.of(NEWCOMERS.read(newcomer, 2)));
            a.refresh(newcomer);
            a.refresh(known);

            b.assign(List.of(FOUR.of(newcomer)));
            assertTrue(rotationOfB.contains(newcomer));
            assertEquals(2, sourceOfB.imageCount(newcomer));
            assertEquals(4, sourceOfB.imageCount(known), "three catalog images and one ingested");
            FaceImage ingested = sourceOfB.read(known, 3);
            assertArrayEquals(NEWCOMERS.read(newcomer, 2).bytes(), ingested.bytes(), "catalog first, then the store");
            assertArrayEquals(CATALOG.read(known, 1).bytes(), sourceOfB.read(known, 1).bytes());
        }
    }

    @Test
    @DisplayName("when the topic grows from 2 to 4 partitions the rotation holds exactly the identities of the owned "
            + "partitions under the new count, and a record routed by either count is recognised as routed here")
    void followsAGrowingTopic() throws IOException {
        IdentityPartitions two = new IdentityPartitions(2);
        try (IdentityStore store = IdentityStore.open(root)) {
            CombinedSource source = new CombinedSource(CATALOG, store);
            PairSampler rotation = rotation();
            Ownership ownership = new Ownership(rotation, source, two);
            ownership.assign(List.of(0, 1));
            assertEquals(new HashSet<>(CATALOG.identities()), inRotation(rotation, source));

            assertTrue(ownership.resize(4));
            assertEquals(4, ownership.partitions().partitions());
            assertEquals(ofPartitions(CATALOG.identities(), Set.of(0, 1)), inRotation(rotation, source),
                    "identities now in partitions 2 and 3 wait for whoever gets those");
            ownership.assign(List.of(2));
            assertEquals(ofPartitions(CATALOG.identities(), Set.of(0, 1, 2)), inRotation(rotation, source));
            for (String id : CATALOG.identities()) {
                assertTrue(ownership.routedTo(id, two.of(id)), "routed by the old count: " + id);
                assertTrue(ownership.routedTo(id, FOUR.of(id)), "routed by the new count: " + id);
                for (int p = 0; p < 4; p++) {
                    assertEquals(p == two.of(id) || p == FOUR.of(id), ownership.routedTo(id, p), id + " on " + p);
                }
            }
            assertFalse(ownership.resize(3), "Kafka never removes partitions: a smaller count is ignored");
            assertFalse(ownership.resize(4));
            assertEquals(4, ownership.partitions().partitions());
        }
    }
}
