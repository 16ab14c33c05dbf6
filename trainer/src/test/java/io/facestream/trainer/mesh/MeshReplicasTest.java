package io.facestream.trainer.mesh;

import io.facestream.trainer.metrics.ParameterSketch;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.facestream.trainer.metrics.Vectors.l2;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Trainer replicas in JVMs of their own, meshed over loopback UDP, each training on its own random pairs. Their
 * parameters must agree: every replica applies the same encoded updates (its own and the others'), so they differ
 * by float rounding only. Tolerances: 1e-5 absolute per parameter for replicas that started together (measured
 * 1.2e-7 after 30 steps); a replica that joined late takes a copy of the root's state between two of the root's
 * steps, and the updates crossing that moment may be counted twice or not at all, so it is held to a looser bound.
 * The two-replica run trains the default SOFTMAX head (each replica's own, over its own identities); the rejoin
 * runs (of two and of three replicas) train TRIPLET, so both kinds of loss go through the mesh.
 */
@Tag("slow")
class MeshReplicasTest {
    private static final Duration RUN = Duration.ofMinutes(3);
    private static final double STARTED_TOGETHER = 1e-5;
    private static final Pattern STEP = Pattern.compile("^step (\\d+) ");

    @TempDir
    Path dir;

    @Test
    @DisplayName("two softmax replicas in lockstep on disjoint identities end with the same backbone, which training "
            + "moved, each with a head over its own identities only")
    void twoReplicasStayEqual() throws Exception {
        int rootPort = ReplicaProcess.freePort();
        int port = ReplicaProcess.freePort();
        String seeds = "seeds=127.0.0.1:" + rootPort;
        String rootSent = dir.resolve("root.sent").toString();
        String otherSent = dir.resolve("other.sent").toString();
        try (ReplicaProcess root = ReplicaProcess.start("root", dir, List.of("port=" + rootPort, seeds,
                "replicas=2", "steps=25", "data=1", "out=" + dir.resolve("root.bin"), "init=" + dir.resolve("init.bin"),
                "sentFile=" + rootSent, "peerSent=" + otherSent, "exact=true", "loss=SOFTMAX", "identities=0:12",
                "headOut=" + dir.resolve("root.head"), "maxLag=0"));
             ReplicaProcess other = ReplicaProcess.start("other", dir, List.of("port=" + port, seeds, "replicas=2",
                     "steps=25", "data=2", "out=" + dir.resolve("other.bin"), "sentFile=" + otherSent,
                     "peerSent=" + rootSent, "exact=true", "loss=SOFTMAX", "identities=12:12",
                     "headOut=" + dir.resolve("other.head"), "maxLag=0", "pace=300"))) {
            // the other replica steps at most every 300 ms: in lockstep the root waits for its update after each
            // of its own steps, so before its step k it has received the other's k-1 (unbounded, it would be far ahead)
            Pattern stepLine = Pattern.compile("^step (\\d+) loss \\S+ received (\\d+)");
            for (int k = 1; k <= 25; k++) {
                Matcher line = root.await(stepLine, RUN);
                assertEquals(k, Long.parseLong(line.group(1)));
                assertTrue(Long.parseLong(line.group(2)) >= k - 1, "the root at step " + k + " had received only "
                        + line.group(2) + " of the other replica's updates: not in lockstep");
            }
            root.await(Pattern.compile("^done step 25 "), RUN);
            other.await(Pattern.compile("^done step 25 "), RUN);
            assertEquals(0, root.exit(RUN), "root exit status");
            assertEquals(0, other.exit(RUN), "replica exit status");
        }
        float[] a = ReplicaProcess.read(dir.resolve("root.bin"));
        float[] b = ReplicaProcess.read(dir.resolve("other.bin"));
        float[] init = ReplicaProcess.read(dir.resolve("init.bin"));
        double apart = ReplicaProcess.maxAbsDiff(a, b);
        double moved = ReplicaProcess.maxAbsDiff(a, init);
        assertTrue(apart <= STARTED_TOGETHER, "replicas apart by " + apart + " > " + STARTED_TOGETHER);
        assertTrue(moved > 1000 * STARTED_TOGETHER, "training moved the parameters by only " + moved);

        // the dashboard's estimate on the real replicas' parameters: the sketches measure training's movement and the
        // parameters' norm within the documented factor 1.5, and put the replicas far closer than training moved them
        ParameterSketch sa = ParameterSketch.of(a, 25);
        ParameterSketch sb = ParameterSketch.of(b, 25);
        ParameterSketch si = ParameterSketch.of(init, 0);
        double normA = l2(a, new float[a.length]);
        assertWithin(l2(a, init), sa.distance(si), "the distance training moved the root");
        assertWithin(normA, sa.norm(), "the root's parameter norm");
        double divergence = sa.distance(sb) / sa.norm();
        assertTrue(divergence < 1e-3 * l2(a, init) / normA, "replicas' estimated divergence " + divergence
                + " against training's relative movement " + l2(a, init) / normA);
        if (l2(a, b) == 0) {
            assertEquals(0.0, divergence, "identical parameters, identical sketches");
        }
        // each head holds the rows of the identities its replica trained on (all of them: 25 batches of 8 of 12),
        // and none of the other's: the state exchange and the shared updates carry the backbone only
        assertEquals(identities(0, 12), Set.copyOf(Files.readAllLines(dir.resolve("root.head"))), "root's head");
        assertEquals(identities(12, 12), Set.copyOf(Files.readAllLines(dir.resolve("other.head"))), "other's head");
    }

    @Test
    @DisplayName("a replica with another update scale and learning rate stops at the join naming both, also when "
            + "it restarts on the same address (the root knew it); the root drops it, neither it nor the replicas "
            + "count it at their start barriers, and all train once a third replica with its settings joins")
    void otherSettingsRefused() throws Exception {
        int rootPort = ReplicaProcess.freePort();
        int wrongPort = ReplicaProcess.freePort();
        int rightPort = ReplicaProcess.freePort();
        int thirdPort = ReplicaProcess.freePort();
        String seeds = "seeds=127.0.0.1:" + rootPort;
        try (ReplicaProcess root = ReplicaProcess.start("root", dir, List.of("port=" + rootPort, seeds,
                "replicas=3", "steps=3", "data=1", "peerTimeout=5s"))) {
            for (int attempt = 1; attempt <= 2; attempt++) {
                try (ReplicaProcess wrong = ReplicaProcess.start("wrong-" + attempt, dir, List.of("port=" + wrongPort,
                        seeds, "replicas=3", "steps=3", "data=2", "updateScale=MEAN", "learningRate=2e-3"))) {
                    String why = wrong.await(Pattern.compile("^join failed: (.*)"), RUN).group(1);
                    for (String expected : List.of("settings differ from the root's (127.0.0.1:" + rootPort + ")",
                            "trainer.mesh.updateScale: SQRT at the root, MEAN here",
                            "trainer.learningRate: 0.001 at the root, 0.002 here")) {
                        assertTrue(why.contains(expected), "\"" + expected + "\" not in: " + why);
                    }
                    assertTrue(!why.contains("trainer.batchPairs") && !why.contains("trainer.seed"), why);
                    assertEquals(3, wrong.exit(RUN), "the refused replica's exit status, attempt " + attempt);
                }
                root.await(Pattern.compile("has other settings and stops: .*trainer.mesh.updateScale: SQRT at the "
                        + "root, MEAN at .*:" + wrongPort), RUN);
            }
            try (ReplicaProcess right = ReplicaProcess.start("right", dir, List.of("port=" + rightPort, seeds,
                    "replicas=3", "steps=3", "data=2"))) {
                right.await(Pattern.compile("took the root's parameters and updater state"), RUN);
                // DL4J's view of the mesh still names the refused replica (root, refused, this one: 3); the root
                // counts 2, and so must this replica, which waits at its start barrier for a third
                Thread.sleep(3000);
                List<String> early = Files.readAllLines(dir.resolve("right.log"));
                assertEquals(-1, indexOf(early, "^joined at step"), "the replica passed its start barrier counting "
                        + "the refused replica: " + early);
                try (ReplicaProcess third = ReplicaProcess.start("third", dir, List.of("port=" + thirdPort, seeds,
                        "replicas=3", "steps=3", "data=3"))) {
                    right.await(Pattern.compile("^done step 3 "), RUN);
                    third.await(Pattern.compile("^done step 3 "), RUN);
                    assertEquals(0, right.exit(RUN), "the replica with the root's settings: exit status");
                    assertEquals(0, third.exit(RUN), "the third replica: exit status");
                }
            }
            root.await(Pattern.compile("^done step 3 "), RUN);
            assertEquals(0, root.exit(RUN), "root exit status");
        }
        // the root passed its start barrier only with the replicas that have its settings
        List<String> log = Files.readAllLines(dir.resolve("root.log"));
        int joined = indexOf(log, "joined at step 0 root=true");
        int servedThird = indexOf(log, "sent the parameters of step 0 to .*:" + thirdPort);
        assertTrue(joined > 0 && servedThird >= 0 && servedThird < joined, "the root started training (line "
                + joined + ") before it served the third replica with its settings (line " + servedThird + ")");
    }

    /** The index of the first line matching {@code regex}, or -1. */
    private static int indexOf(List<String> lines, String regex) {
        Pattern p = Pattern.compile(regex);
        for (int i = 0; i < lines.size(); i++) {
            if (p.matcher(lines.get(i)).find()) {
                return i;
            }
        }
        return -1;
    }

    private static void assertWithin(double exact, double estimate, String what) {
        assertTrue(estimate <= 1.5 * exact && estimate >= exact / 1.5, what + ": estimate " + estimate + " of " + exact);
    }

    private static Set<String> identities(int first, int count) {
        return IntStream.range(first, first + count).mapToObj(i -> "id-" + i).collect(Collectors.toSet());
    }

    @Test
    @DisplayName("a SIGKILLed replica is dropped, the root trains on, and the replica rejoins with the root's state")
    void killedReplicaIsDroppedAndRejoins() throws Exception {
        int rootPort = ReplicaProcess.freePort();
        int port = ReplicaProcess.freePort();
        String seeds = "seeds=127.0.0.1:" + rootPort;
        List<String> replicaArgs = List.of("port=" + port, seeds, "replicas=2", "pace=100");
        String rootSent = dir.resolve("root.sent").toString();
        String backSent = dir.resolve("back.sent").toString();
        try (ReplicaProcess root = ReplicaProcess.start("root", dir, List.of("port=" + rootPort, seeds,
                "replicas=2", "steps=" + ROOT_STEPS, "pace=100", "data=1", "peerTimeout=2s", "out=" + dir.resolve("root.bin"), "init=" + dir.resolve("init.bin"),
                "sentFile=" + rootSent, "peerSent=" + backSent, "quietMs=3000"))) {
            long later = killAndTrainOn(concat(replicaArgs, "steps=1000", "data=2",
                    "out=" + dir.resolve("doomed.bin")), port, root);
            // the rejoined replica steps until the root is done, then both apply what is in flight
            rejoin(concat(replicaArgs, "steps=100000", "data=3", "stopFile=" + rootSent, "sentFile=" + backSent,
                    "peerSent=" + rootSent, "quietMs=3000", "out=" + dir.resolve("back.bin")), later);
            root.await(Pattern.compile("^done step " + ROOT_STEPS + " "), RUN);
            assertEquals(0, root.exit(RUN), "root exit status");
        }
        double apart = ReplicaProcess.maxAbsDiff(ReplicaProcess.read(dir.resolve("root.bin")),
                ReplicaProcess.read(dir.resolve("back.bin")));
        assertTrue(apart <= REJOINED, "root and rejoined replica apart by " + apart + " > " + REJOINED);
        double moved = ReplicaProcess.maxAbsDiff(ReplicaProcess.read(dir.resolve("root.bin")),
                ReplicaProcess.read(dir.resolve("init.bin")));
        assertTrue(moved > 10 * apart, "training moved the parameters by " + moved + ", under 10x the replicas' final gap "
                + apart + ": too little to tell a rejoin from none");
    }

    @Test
    @DisplayName("three replicas: one SIGKILLed mid-run, the other two train on in step, and it rejoins with the "
            + "root's state")
    void threeReplicasOneKilled() throws Exception {
        int rootPort = ReplicaProcess.freePort();
        String seeds = "seeds=127.0.0.1:" + rootPort;
        String rootSent = dir.resolve("root.sent").toString();
        String secondSent = dir.resolve("second.sent").toString();
        String backSent = dir.resolve("back.sent").toString();
        try (ReplicaProcess root = ReplicaProcess.start("root", dir, List.of("port=" + rootPort, seeds,
                "replicas=3", "steps=" + ROOT_STEPS, "pace=100", "data=1", "peerTimeout=2s",
                "out=" + dir.resolve("root.bin"), "init=" + dir.resolve("init.bin"), "sentFile=" + rootSent,
                "peerSent=" + secondSent + "," + backSent, "quietMs=3000"));
             ReplicaProcess second = ReplicaProcess.start("second", dir, List.of("port=" + ReplicaProcess.freePort(),
                     seeds, "replicas=3", "steps=100000", "pace=100", "data=2", "stopFile=" + rootSent,
                     "sentFile=" + secondSent, "peerSent=" + rootSent + "," + backSent, "quietMs=3000",
                     "out=" + dir.resolve("second.bin")))) {
            int doomedPort = ReplicaProcess.freePort();
            long later = killAndTrainOn(List.of("port=" + doomedPort, seeds, "replicas=3", "steps=1000", "pace=100",
                    "data=3", "out=" + dir.resolve("doomed.bin")), doomedPort, root, second);
            rejoin(List.of("port=" + doomedPort, seeds, "replicas=3", "pace=100", "steps=100000", "data=4",
                    "stopFile=" + rootSent, "sentFile=" + backSent, "peerSent=" + rootSent + "," + secondSent,
                    "quietMs=3000", "out=" + dir.resolve("back.bin")), later);
            root.await(Pattern.compile("^done step " + ROOT_STEPS + " "), RUN);
            second.await(Pattern.compile("^done step"), RUN);
            assertEquals(0, root.exit(RUN), "root exit status");
            assertEquals(0, second.exit(RUN), "second replica exit status");
        }
        float[] root = ReplicaProcess.read(dir.resolve("root.bin"));
        double moved = ReplicaProcess.maxAbsDiff(root, ReplicaProcess.read(dir.resolve("init.bin")));
        double secondApart = ReplicaProcess.maxAbsDiff(root, ReplicaProcess.read(dir.resolve("second.bin")));
        double backApart = ReplicaProcess.maxAbsDiff(root, ReplicaProcess.read(dir.resolve("back.bin")));
        System.out.println("three replicas: moved " + moved + ", second apart " + secondApart + ", rejoined apart "
                + backApart);
        assertTrue(secondApart <= SURVIVED, "root and the replica that survived with it apart by " + secondApart
                + " > " + SURVIVED);
        assertTrue(backApart <= REJOINED_OF_THREE, "root and rejoined replica apart by " + backApart + " > "
                + REJOINED_OF_THREE);
        assertTrue(moved > 10 * secondApart && moved > 2 * backApart, "training moved the parameters by " + moved
                + ", too little against the replicas' final gaps to tell a mesh or a rejoin from none");
    }

    /**
     * A replica that started with the root and was never dropped applies the same updates as the root, the killed
     * replica's included (each reached the root, which passes it on); without the exact count of the two-replica
     * run (the killed replica's count is lost with it) the drain ends after a quiet period. Measured 1.2e-7; one
     * update missed on either side would put them at least a threshold (1e-3) apart.
     */
    private static final double SURVIVED = 1e-4;
    /**
     * A joiner of a mesh of three misses the updates the third replica sends while the root holds for the copy (its
     * connection to the joiner is not up yet; docs/SCALE-OUT.md, "Late joiner"): about one threshold (2e-3 to 5e-3,
     * adaptive) per update, and the third replica steps every 100 ms here. Measured 4.4e-3, 4.4e-3 and 1.9e-2; a
     * replica that did not take the root's state would be about as far as training moved the parameters (0.14-0.20).
     */
    private static final double REJOINED_OF_THREE = 5e-2;

    /**
     * Starts a replica that rejoins with {@code args}: it must take the root's state at step {@code later} or after,
     * train until the root's stop file appears and exit 0.
     */
    private void rejoin(List<String> args, long later) throws Exception {
        try (ReplicaProcess back = ReplicaProcess.start("back", dir, args)) {
            Matcher took = back.await(Pattern.compile("took the root's parameters and updater state at step (\\d+)"),
                    RUN);
            assertTrue(Long.parseLong(took.group(1)) >= later, "the rejoined replica starts at the root's step, not 0");
            back.await(Pattern.compile("^done step"), RUN);
            assertEquals(0, back.exit(RUN), "rejoined replica exit status");
        }
    }

    /**
     * Starts a replica with {@code args}, SIGKILLs it at its step 8, waits until the root ({@code survivors[0]})
     * drops it and every survivor has trained 5 steps past that moment; returns the root's step then.
     */
    private long killAndTrainOn(List<String> args, int port, ReplicaProcess... survivors) throws Exception {
        try (ReplicaProcess doomed = ReplicaProcess.start("doomed", dir, args)) {
            doomed.await(Pattern.compile("^step 8 "), RUN);
            doomed.kill();
        }
        survivors[0].await(Pattern.compile("dropped replica .*:" + port), RUN);
        long stepWhenDropped = Long.parseLong(survivors[0].await(STEP, RUN).group(1));
        assertTrue(stepWhenDropped + 5 < ROOT_STEPS, "the root was at step " + stepWhenDropped + " of "
                + ROOT_STEPS + " when it dropped the replica: too late to see it train on and be rejoined");
        long rootLater = -1;
        for (ReplicaProcess p : survivors) {
            long later = Long.parseLong(p.await(Pattern.compile("^step (" + (stepWhenDropped + 5) + ") "), RUN)
                    .group(1));
            assertTrue(later > stepWhenDropped, "a survivor trains on without the killed replica");
            rootLater = rootLater < 0 ? later : rootLater;
        }
        return rootLater;
    }

    /**
     * Each replica keeps the part of its updates below the encoding threshold (1e-3 at the start, adaptive, so it
     * grows as updates grow) as a residual it never sends at the end: a rejoined replica ends a few thresholds from
     * the root. Measured 1.2e-4 to 2.9e-3 over 60 to 150 root steps on the 2-core machine; a replica that did not
     * take the root's state would be as far as training moved the parameters.
     */
    private static final double REJOINED = 1e-2;
    /** The root's steps at 100 ms each: room for a slow start of the doomed replica on a loaded machine. */
    private static final int ROOT_STEPS = 150;

    private static List<String> concat(List<String> a, String... b) {
        List<String> out = new java.util.ArrayList<>(a);
        out.addAll(List.of(b));
        return out;
    }
}
