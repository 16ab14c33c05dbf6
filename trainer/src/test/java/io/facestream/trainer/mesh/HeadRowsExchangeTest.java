package io.facestream.trainer.mesh;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.trainer.head.ClassHead;
import io.facestream.trainer.head.HeadMath;
import io.facestream.trainer.loss.LossKind;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

class HeadRowsExchangeTest {
    private static final int DIM = 16;

    private static ClassHead head(LossKind kind) {
        return new ClassHead(new ClassHead.Settings(kind, DIM, 16, 0.5, 1_000_000, 0.1, 7), DataType.FLOAT);
    }

    /** One step on two images of each identity, so each gets an imprinted row. */
    private static void train(ClassHead head, String... identities) {
        List<String> ids = new ArrayList<>();
        for (String id : identities) {
            ids.add(id);
            ids.add(id);
        }
        INDArray labels = head.prepare(ids, head.updates());
        INDArray x = Nd4j.create(DataType.FLOAT, ids.size(), DIM);
        Random random = new Random(ids.hashCode());
        for (int i = 0; i < ids.size(); i++) {
            for (int k = 0; k < DIM; k++) {
                x.putScalar(i, k, random.nextGaussian());
            }
        }
        int[] targets = new int[ids.size()];
        for (int i = 0; i < targets.length; i++) {
            targets[i] = labels.getInt(i, 0);
        }
        head.forward(x, targets, true);
        head.update(1e-3, 0);
    }

    @Test
    @DisplayName("Each replica writes its rows and holds the others' as negatives, its own identities left out; "
            + "rows of another loss, or not written since the replica started, are ignored")
    void replicasHoldEachOthersRows(@TempDir Path dir) throws IOException {
        try (ClassHead a = head(LossKind.SOFTMAX); ClassHead b = head(LossKind.SOFTMAX);
             ClassHead c = head(LossKind.SOFTMAX); ClassHead other = head(LossKind.ARCFACE)) {
            train(a, "a1", "a2", "shared");
            train(b, "b1", "b2", "b3", "shared");
            train(c, "c1");
            train(other, "o1", "o2");
            HeadRowsExchange finished = new HeadRowsExchange(dir, "10.0.0.3:40123", "run-0", 10, 1000);
            finished.publish(c, 5);
            Files.setLastModifiedTime(finished.file(), FileTime.fromMillis(System.currentTimeMillis() - 60_000));
            HeadRowsExchange ea = new HeadRowsExchange(dir, "10.0.0.1:40123", "run-1", 10, 1000);
            HeadRowsExchange eb = new HeadRowsExchange(dir, "10.0.0.2:40123", "run-2", 10, 1000);
            new HeadRowsExchange(dir, "10.0.0.4:40123", "run-1", 10, 1000).publish(other, 5);
            ea.publish(a, 10);
            assertEquals(2, eb.exchange(b, 10), "a1 and a2, not shared (b has a row of its own)");
            assertEquals(List.of("a1", "a2"), b.foreignIdentities().stream().sorted().toList());
            assertEquals(3, ea.collect(a), "b1, b2, b3; shared is a row of a's own");
            assertEquals(List.of("b1", "b2", "b3"), a.foreignIdentities().stream().sorted().toList());
            assertEquals(0, ea.unreadable());

            HeadRowsExchange.Rows read = HeadRowsExchange.read(ea.file());
            assertEquals("run-1", read.runId());
            assertEquals(LossKind.SOFTMAX, read.kind());
            assertEquals(10, read.step());
            assertEquals(a.identities().identities(), read.identities());
            for (int r = 0; r < a.classes(); r++) {
                assertArrayEquals(a.row(r), read.row(r), 0f);
            }
            assertArrayEquals(a.state().get(3).toFloatVector(), read.biases(), 0f);
        }
    }

    @Test
    @DisplayName("An identity in two replicas' files (after a rebalance) is taken from the one written last")
    void newerFileWins(@TempDir Path dir) throws IOException {
        try (ClassHead old = head(LossKind.COSFACE); ClassHead now = head(LossKind.COSFACE);
             ClassHead me = head(LossKind.COSFACE)) {
            train(old, "moved", "o1");
            train(now, "moved", "n1");
            train(me, "m1");
            HeadRowsExchange mine = new HeadRowsExchange(dir, "h:3", "run", 1, 100);
            HeadRowsExchange later = new HeadRowsExchange(dir, "h:1", "run", 1, 100);
            later.publish(now, 3);
            Files.setLastModifiedTime(later.file(), FileTime.fromMillis(System.currentTimeMillis() + 5_000));
            new HeadRowsExchange(dir, "h:2", "run", 1, 100).publish(old, 9);
            assertEquals(3, mine.collect(me));
            List<String> held = me.foreignIdentities();
            assertEquals(3, held.size());
            assertTrue(held.containsAll(List.of("moved", "o1", "n1")), held.toString());
            float[] newer = now.row(now.identities().rowOf("moved"));
            assertArrayEquals(newer, me.foreignRow("moved"), 0f);
            assertTrue(Arrays.equals(old.row(old.identities().rowOf("o1")), me.foreignRow("o1")));
            assertEquals(null, me.foreignRow("m1"));
        }
    }

    @Test
    @DisplayName("Above foreignRowsMax a replica holds no foreign rows and trains on its own shard")
    void aboveTheMaxNoneHeld(@TempDir Path dir) throws IOException {
        try (ClassHead a = head(LossKind.ARCFACE); ClassHead b = head(LossKind.ARCFACE)) {
            train(a, "a1", "a2", "a3");
            train(b, "b1");
            new HeadRowsExchange(dir, "h:1", "run", 1, 2).publish(a, 1);
            HeadRowsExchange eb = new HeadRowsExchange(dir, "h:2", "run", 1, 2);
            assertEquals(0, eb.exchange(b, 1));
            assertEquals(0, b.foreignClasses());
            assertEquals(3, new HeadRowsExchange(dir, "h:2", "run", 1, 3).collect(b));
            assertEquals(0, eb.collect(b), "a held copy is dropped once over the max");
        }
    }

    @Test
    @DisplayName("A torn, damaged, foreign or newer-version rows file is skipped, counted and named; the good ones "
            + "are still held")
    void badFilesSkipped(@TempDir Path dir) throws IOException {
        try (ClassHead a = head(LossKind.SOFTMAX); ClassHead b = head(LossKind.SOFTMAX)) {
            train(a, "a1", "a2");
            train(b, "b1");
            HeadRowsExchange ea = new HeadRowsExchange(dir, "h:1", "run", 1, 100);
            ea.publish(a, 1);
            byte[] good = Files.readAllBytes(ea.file());

            Path torn = dir.resolve("torn.rows");
            Files.write(torn, Arrays.copyOf(good, good.length - 9));
            assertMessage(torn, "cut short");
            Path damaged = dir.resolve("damaged.rows");
            byte[] flipped = good.clone();
            flipped[good.length - 20] ^= 0x40;
            Files.write(damaged, flipped);
            assertMessage(damaged, "checksum");
            Path notRows = dir.resolve("zip.rows");
            Files.write(notRows, "PK\u0003\u0004 not rows at all".getBytes());
            assertMessage(notRows, "not a class-rows file");
            Path newer = dir.resolve("newer.rows");
            byte[] v2 = good.clone();
            v2[7] = 2;
            Files.write(newer, v2);
            assertMessage(newer, "version 2");
            Path trailing = dir.resolve("trailing.rows");
            byte[] longer = Arrays.copyOf(good, good.length + 1);
            Files.write(trailing, longer);
            assertMessage(trailing, "after its checksum");
            Path noBiases = dir.resolve("no-biases.rows");
            HeadRowsExchange.write(noBiases, "run", LossKind.SOFTMAX, 1, List.of("z1"),
                    Nd4j.zeros(DataType.FLOAT, 1, DIM), null, new long[] {1});
            assertMessage(noBiases, "without biases");
            Path huge = dir.resolve("huge.rows");
            byte[] claims = good.clone();
            // the row count (after magic, version, run id, loss name, step and dimension) raised by 2^30
            int count = 8 + 2 + "run".length() + 2 + "SOFTMAX".length() + 8 + 4;
            claims[count] = 0x40;
            Files.write(huge, claims);
            assertMessage(huge, "claims 1073741826 rows");

            HeadRowsExchange eb = new HeadRowsExchange(dir, "h:2", "run", 1, 100);
            assertEquals(2, eb.collect(b), "a's rows are held despite the bad files beside them");
            assertEquals(7, eb.unreadable());
        }
    }

    @Test
    @DisplayName("A rows file that cannot be written stops the trainer: the others would go without its classes")
    void writeFailureIsLoud(@TempDir Path dir) throws IOException {
        try (ClassHead a = head(LossKind.SOFTMAX)) {
            train(a, "a1");
            Path file = dir.resolve("not-a-dir");
            Files.writeString(file, "x");
            HeadRowsExchange e = new HeadRowsExchange(file, "h:1", "run", 1, 100);
            UncheckedIOException thrown = assertThrows(UncheckedIOException.class, () -> e.exchange(a, 4));
            assertTrue(thrown.getMessage().contains("step 4"), thrown.getMessage());
            assertThrows(IllegalArgumentException.class, () -> new HeadRowsExchange(dir, "h:1", "run", 0, 1));
        }
    }

    private static void assertMessage(Path file, String part) {
        IOException e = assertThrows(IOException.class, () -> HeadRowsExchange.read(file));
        assertTrue(e.getMessage().contains(part) && e.getMessage().contains(file.getFileName().toString()),
                e.getMessage());
    }

    @Test
    @DisplayName("Between steps the exchange runs on its own thread: the rows read are held at a later step "
            + "boundary, and a file that cannot be written stops the trainer at the step after")
    void betweenSteps(@TempDir Path dir) throws Exception {
        try (ClassHead a = head(LossKind.SOFTMAX); ClassHead b = head(LossKind.SOFTMAX)) {
            train(a, "a1", "a2", "a3");
            train(b, "b1");
            HeadRowsExchange ea = new HeadRowsExchange(dir, "h:1", "run", 5, 100);
            HeadRowsExchange eb = new HeadRowsExchange(dir, "h:2", "run", 5, 100);
            ea.afterStep(a, 3);
            assertTrue(!Files.exists(ea.file()), "not a step to exchange at");
            ea.afterStep(a, 5);
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (!Files.exists(ea.file()) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            long step = 5;
            eb.afterStep(b, step);
            while (b.foreignClasses() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
                eb.afterStep(b, ++step);
            }
            assertEquals(List.of("a1", "a2", "a3"), b.foreignIdentities().stream().sorted().toList());

            Path notADir = dir.resolve("file");
            Files.writeString(notADir, "x");
            HeadRowsExchange broken = new HeadRowsExchange(notADir, "h:3", "run", 1, 100);
            broken.afterStep(a, 1);
            UncheckedIOException thrown = null;
            for (long s = 2; thrown == null && System.nanoTime() < deadline; s++) {
                try {
                    Thread.sleep(10);
                    broken.afterStep(a, s);
                } catch (UncheckedIOException e) {
                    thrown = e;
                }
            }
            assertTrue(thrown != null && thrown.getMessage().contains("(step 1)"), String.valueOf(thrown));
        }
    }

    @Test
    @DisplayName("A replica without pairs renews its rows file while idle, not more often than the refresh, so a "
            + "replica started after its last step holds its classes")
    void idleReplicaRenewsItsFile(@TempDir Path dir) throws Exception {
        try (ClassHead a = head(LossKind.SOFTMAX); ClassHead b = head(LossKind.SOFTMAX)) {
            train(a, "a1", "a2");
            train(b, "b1");
            Duration refresh = Duration.ofSeconds(2);
            HeadRowsExchange ea = new HeadRowsExchange(dir, "h:1", "run", 5, 100, refresh);
            long started = System.nanoTime();
            ea.afterStep(a, 5);
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (!Files.exists(ea.file()) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            // as if written before the other replica started: the age rule leaves it out
            FileTime old = FileTime.fromMillis(System.currentTimeMillis() - 60_000);
            Files.setLastModifiedTime(ea.file(), old);
            HeadRowsExchange eb = new HeadRowsExchange(dir, "h:2", "run", 5, 100);
            assertEquals(0, eb.collect(b), "a's file predates b's start");
            ea.idle(a, 5);
            Thread.sleep(100);
            if (System.nanoTime() - started < refresh.toNanos()) {
                assertEquals(old, Files.getLastModifiedTime(ea.file()), "renewed before the refresh interval");
            }
            while (Files.getLastModifiedTime(ea.file()).equals(old) && System.nanoTime() < deadline) {
                Thread.sleep(20);
                ea.idle(a, 5);
            }
            assertTrue(System.nanoTime() - started >= refresh.toNanos(), "renewed only after the refresh interval");
            assertEquals(2, eb.collect(b), "a's renewed file counts");
            assertEquals(List.of("a1", "a2"), b.foreignIdentities().stream().sorted().toList());
            assertEquals(5, HeadRowsExchange.read(ea.file()).step(), "the same rows, the same step");
        }
    }

    @Test
    @DisplayName("An identity in two files is taken from the replica whose batches held it last, even from the "
            + "older file")
    void lastSeenDecides(@TempDir Path dir) throws IOException {
        try (ClassHead left = head(LossKind.SOFTMAX); ClassHead trains = head(LossKind.SOFTMAX);
             ClassHead me = head(LossKind.SOFTMAX)) {
            train(trains, "moved", "t1");
            train(left, "moved", "l1");
            train(left, "l1", "l2"); // "moved" is no longer in its batches: last seen at its first step
            train(trains, "moved", "t1"); // seen at its second
            train(me, "m1");
            HeadRowsExchange mine = new HeadRowsExchange(dir, "h:3", "run", 1, 100);
            new HeadRowsExchange(dir, "h:1", "run", 1, 100).publish(trains, 2);
            HeadRowsExchange newer = new HeadRowsExchange(dir, "h:2", "run", 1, 100);
            newer.publish(left, 2);
            Files.setLastModifiedTime(newer.file(), FileTime.fromMillis(System.currentTimeMillis() + 5_000));
            assertEquals(2, trains.lastSeen(trains.identities().rowOf("moved")));
            assertEquals(1, left.lastSeen(left.identities().rowOf("moved")));
            mine.collect(me);
            assertArrayEquals(trains.row(trains.identities().rowOf("moved")), me.foreignRow("moved"), 0f);
        }
    }

    @Test
    @DisplayName("The last write on stop happens after the exchange in flight, even on an interrupted trainer "
            + "thread, which keeps its interrupt")
    void finishWritesOnAnInterruptedThread(@TempDir Path dir) throws Exception {
        try (ClassHead a = head(LossKind.ARCFACE)) {
            train(a, "a1", "a2");
            HeadRowsExchange e = new HeadRowsExchange(dir, "h:1", "run", 1, 100);
            e.afterStep(a, 1); // an exchange in flight
            train(a, "a3");
            Thread.currentThread().interrupt();
            try {
                e.finish(a, 2);
                assertTrue(Thread.currentThread().isInterrupted(), "the interrupt is kept");
            } finally {
                Thread.interrupted();
            }
            HeadRowsExchange.Rows written = HeadRowsExchange.read(e.file());
            assertEquals(2, written.step());
            assertEquals(List.of("a1", "a2", "a3"), written.identities());
            try (Stream<Path> left = Files.list(dir)) {
                assertEquals(List.of(e.file()), left.toList(), "no temporary file left behind");
            }
        }
    }

    @Test
    @DisplayName("A head restored from a checkpoint (its rows never seen since) writes its rows, last seen 0")
    void restoredHeadPublishes(@TempDir Path dir) throws IOException {
        int n = 300;
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add("r" + i);
        }
        List<INDArray> state = new ArrayList<>();
        for (int k = 0; k < 3; k++) {
            state.add(Nd4j.rand(DataType.FLOAT, n, DIM));
        }
        try (ClassHead restored = ClassHead.restore(new ClassHead.Settings(LossKind.COSFACE, DIM, 16, 0.35,
                1_000_000, 0.1, 7), DataType.FLOAT, ids, 3, state)) {
            HeadRowsExchange e = new HeadRowsExchange(dir, "h:1", "run", 1, 1000);
            e.publish(restored, 4);
            HeadRowsExchange.Rows read = HeadRowsExchange.read(e.file());
            assertEquals(ids, read.identities());
            assertEquals(0, read.lastSeen()[n - 1]);
            assertArrayEquals(restored.row(n - 1), read.row(n - 1), 0f);
        }
    }

    @Test
    @DisplayName("A temporary file this replica left when it was killed mid-write is removed by its next write")
    void killedWriteLeftoverRemoved(@TempDir Path dir) throws IOException {
        try (ClassHead a = head(LossKind.SOFTMAX)) {
            train(a, "a1");
            Path leftover = dir.resolve(".h-1.rows.0c1d.tmp");
            Path others = dir.resolve(".h-2.rows.0c1d.tmp");
            Files.writeString(leftover, "half a file");
            Files.writeString(others, "another replica's write in progress");
            HeadRowsExchange e = new HeadRowsExchange(dir, "h:1", "run", 1, 100);
            e.publish(a, 1);
            assertTrue(!Files.exists(leftover), "this replica's leftover removed");
            assertTrue(Files.exists(others), "another replica's file left alone");
        }
    }
}
