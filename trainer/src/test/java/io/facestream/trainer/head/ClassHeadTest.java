package io.facestream.trainer.head;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import io.facestream.trainer.loss.LossKind;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class ClassHeadTest {
    private static final int DIM = 32;

    private static ClassHead head(LossKind kind, int partialFcAbove) {
        return new ClassHead(new ClassHead.Settings(kind, DIM, 16, kind == LossKind.COSFACE ? 0.35 : 0.5,
                partialFcAbove, 0.1, 7), DataType.FLOAT);
    }

    /** A fixed unit feature per identity (its "true" direction) plus a little noise per image. */
    private static INDArray features(List<String> ids, long seed) {
        INDArray out = Nd4j.create(DataType.FLOAT, ids.size(), DIM);
        java.util.Random noise = new java.util.Random(seed);
        for (int i = 0; i < ids.size(); i++) {
            java.util.Random id = new java.util.Random(ids.get(i).hashCode());
            for (int k = 0; k < DIM; k++) {
                out.putScalar(i, k, id.nextGaussian() + 0.6 * noise.nextGaussian());
            }
        }
        return out;
    }

    private static List<String> pairs(String... identities) {
        List<String> out = new ArrayList<>();
        for (String id : identities) {
            out.add(id);
            out.add(id);
        }
        return out;
    }

    private static void step(ClassHead head, List<String> ids, long step) {
        INDArray labels = head.prepare(ids, step);
        head.forward(features(ids, step), HeadLossTest.targets(labels), true);
        head.update(0.05, 0);
    }

    @ParameterizedTest
    @EnumSource(value = LossKind.class, names = {"SOFTMAX", "COSFACE", "ARCFACE"})
    @DisplayName("K new identities add exactly K rows, imprinted, and leave every existing row as it was")
    void growthAddsRowsAndLeavesOthers(LossKind kind) {
        try (ClassHead head = head(kind, 1_000_000)) {
            List<String> known = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                known.add("id" + i);
            }
            // 300 classes: past the initial capacity, so storage grows once on the way
            for (int s = 0; s < 30; s++) {
                step(head, pairs(known.subList(10 * s, 10 * s + 10).toArray(String[]::new)), s);
            }
            assertEquals(300, head.classes());
            float[][] before = new float[300][];
            for (int r = 0; r < 300; r++) {
                before[r] = head.row(r);
            }
            List<String> batch = pairs("new1", "new2", "id3", "new3", "id250");
            INDArray labels = head.prepare(batch, 30);
            head.forward(features(batch, 30), HeadLossTest.targets(labels), false);
            assertEquals(303, head.classes());
            for (int r = 0; r < 300; r++) {
                assertArrayEquals(before[r], head.row(r), 0f, "row " + r + " changed by growth");
            }
            // imprinted: the normalised mean of the identity's two normalised features
            INDArray f = features(batch, 30);
            INDArray a = f.getRow(0).div(f.getRow(0).norm2Number());
            INDArray b = f.getRow(1).div(f.getRow(1).norm2Number());
            INDArray mean = a.add(b);
            mean.divi(mean.norm2Number());
            assertArrayEquals(mean.toFloatVector(), head.row(head.identities().rowOf("new1")), 1e-5f);
            assertEquals(List.of(300, 301, 302), List.of(head.identities().rowOf("new1"),
                    head.identities().rowOf("new2"), head.identities().rowOf("new3")));
        }
    }

    @ParameterizedTest
    @EnumSource(value = LossKind.class, names = {"SOFTMAX", "COSFACE", "ARCFACE"})
    @DisplayName("the loss on newly added identities falls as the head trains on them")
    void lossOnNewIdentitiesFalls(LossKind kind) {
        try (ClassHead head = head(kind, 1_000_000)) {
            for (int s = 0; s < 5; s++) {
                step(head, pairs("a" + s, "b" + s, "c" + s, "d" + s), s);
            }
            List<String> fresh = pairs("n1", "n2", "n3", "a1", "b2");
            double first = 0;
            double last = 0;
            for (int s = 5; s < 65; s++) {
                INDArray labels = head.prepare(fresh, s);
                HeadMath.Result r = head.forward(features(fresh, s), HeadLossTest.targets(labels), true);
                double newLoss = 0;
                for (int i = 0; i < 6; i++) {
                    newLoss += r.losses()[i] / 6;
                }
                if (s < 10) {
                    first += newLoss / 5;
                } else if (s >= 60) {
                    last += newLoss / 5;
                }
                head.update(0.01, 0);
            }
            assertTrue(last < 0.7 * first, kind + ": loss on new identities went from " + first + " to " + last);
        }
    }

    @Test
    @DisplayName("above partialFcAbove a step uses the batch's classes plus a uniform sample: 10% of all, the same for the same step")
    void partialFcSamples() {
        try (ClassHead head = head(LossKind.COSFACE, 100)) {
            List<String> all = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                all.add("id" + i);
            }
            for (int s = 0; s < 10; s++) {
                step(head, pairs(all.subList(100 * s, 100 * s + 100).toArray(String[]::new)), s);
            }
            List<String> batch = pairs("id5", "id900", "id42");
            head.prepare(batch, 77);
            int[] classes = head.stepClasses();
            assertEquals(100, classes.length);
            assertEquals(100, Arrays.stream(classes).distinct().count());
            assertArrayEquals(new int[] {5, 900, 42}, Arrays.copyOf(classes, 3));
            head.prepare(batch, 77);
            assertArrayEquals(classes, head.stepClasses());
            head.prepare(batch, 78);
            assertFalse(Arrays.equals(classes, head.stepClasses()));
        }
    }

    @Test
    @DisplayName("a Partial FC update changes the step's rows only, and the same rows as a full update would")
    void partialFcUpdatesOnlyItsRows() {
        try (ClassHead head = head(LossKind.ARCFACE, 100)) {
            for (int s = 0; s < 3; s++) {
                List<String> ids = new ArrayList<>();
                for (int i = 0; i < 100; i++) {
                    ids.add("id" + (100 * s + i));
                }
                step(head, ids, s);
            }
            float[][] before = new float[300][];
            for (int r = 0; r < 300; r++) {
                before[r] = head.row(r);
            }
            List<String> batch = pairs("id1", "id200");
            step(head, batch, 99);
            head.prepare(batch, 99);
            Set<Integer> used = Arrays.stream(head.stepClasses()).boxed().collect(Collectors.toSet());
            assertEquals(30, used.size());
            int changed = 0;
            for (int r = 0; r < 300; r++) {
                boolean same = Arrays.equals(before[r], head.row(r));
                if (!used.contains(r)) {
                    assertTrue(same, "row " + r + " is not in the step but changed");
                } else if (!same) {
                    changed++;
                }
            }
            assertEquals(30, changed, "every row of the step gets an update");
        }
    }

    @Test
    @DisplayName("a head restored from its state and identity list maps and scores exactly as the original")
    void restoreRoundTrip() {
        try (ClassHead head = head(LossKind.SOFTMAX, 1_000_000)) {
            for (int s = 0; s < 4; s++) {
                step(head, pairs("p" + s, "q" + s, "r"), s);
            }
            List<INDArray> state = head.state().stream().map(INDArray::dup).toList();
            try (ClassHead back = ClassHead.restore(new ClassHead.Settings(LossKind.SOFTMAX, DIM, 16, 0.5,
                    1_000_000, 0.1, 7), DataType.FLOAT, List.copyOf(head.identities().identities()), head.updates(),
                    state)) {
                assertEquals(head.identities().identities(), back.identities().identities());
                assertEquals(head.updates(), back.updates());
                List<String> batch = pairs("q2", "r", "p0");
                double[] a = head.forward(features(batch, 5), HeadLossTest.targets(head.prepare(batch, 5)), true)
                        .losses();
                double[] b = back.forward(features(batch, 5), HeadLossTest.targets(back.prepare(batch, 5)), true)
                        .losses();
                assertArrayEquals(a, b, 1e-6);
                head.update(0.01, 1e-3);
                back.update(0.01, 1e-3);
                for (int r = 0; r < head.classes(); r++) {
                    assertArrayEquals(head.row(r), back.row(r), 1e-6f);
                }
            }
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ClassHead.restore(
                    new ClassHead.Settings(LossKind.SOFTMAX, DIM, 16, 0.5, 1_000_000, 0.1, 7), DataType.FLOAT,
                    List.of("x", "y"), 1, head.state()));
            assertTrue(e.getMessage().contains("for 2 identities"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> IdentityRows.of(List.of("a", "b", "a")));
        }
    }

    /** Rows of another replica: a unit row per identity, as {@link #features} directs them. */
    private static INDArray foreignRows(List<String> ids) {
        INDArray rows = features(ids, 99);
        for (int i = 0; i < ids.size(); i++) {
            INDArray r = rows.getRow(i);
            r.divi(r.norm2Number());
        }
        return rows;
    }

    @ParameterizedTest
    @EnumSource(value = LossKind.class, names = {"SOFTMAX", "COSFACE", "ARCFACE"})
    @DisplayName("Foreign rows join every step's classes as negatives: the loss is the pass over own and foreign "
            + "rows together, only the own rows are stepped, the foreign rows stay as they came")
    void foreignRowsAreNegativesOnly(LossKind kind) {
        double margin = kind == LossKind.COSFACE ? 0.35 : 0.5;
        try (ClassHead head = head(kind, 1_000_000)) {
            List<String> others = List.of("x", "y", "b", "z");
            INDArray rows = foreignRows(others);
            INDArray biases = kind == LossKind.SOFTMAX ? Nd4j.createFromArray(0.1f, -0.2f, 0.3f, 0.05f) : null;
            assertEquals(4, head.holdForeign(others, rows, biases));
            List<String> batch = pairs("a", "b", "c");
            INDArray labels = head.prepare(batch, 0);
            // "b" came in a batch: it has a row here now, which is its images' positive; the other copy is left out
            assertEquals(List.of("x", "y", "z"), head.foreignIdentities());
            INDArray foreignW = Nd4j.pullRows(rows, 1, new int[] {0, 1, 3});
            INDArray foreignB = biases == null ? null : Nd4j.createFromArray(0.1f, -0.2f, 0.05f);
            int[] targets = HeadLossTest.targets(labels);
            INDArray x = features(batch, 1);
            HeadMath.Result got = head.forward(x, targets, true);
            INDArray own = head.state().get(0).dup(); // imprinted by that first pass
            INDArray ownB = kind == LossKind.SOFTMAX ? head.state().get(3).dup() : null;
            HeadMath.Result expected = HeadMath.pass(kind, x, targets, Nd4j.concat(0, own, foreignW),
                    ownB == null ? null : Nd4j.concat(0, ownB, foreignB), 16, margin, true);
            assertArrayEquals(expected.losses(), got.losses(), 1e-5);
            assertTrue(expected.meanLoss() > HeadMath.pass(kind, x, targets, own, ownB, 16, margin, false)
                    .meanLoss(), "more negatives, more loss");
            assertEquals(3, got.dw().size(0), "the gradient covers the own rows only");
            assertEquals(3, head.stepForeignRows(), "the pass contrasted with the 3 foreign rows");
            assertArrayEquals(expected.dx().ravel().toDoubleVector(), got.dx().ravel().toDoubleVector(), 1e-5);
            INDArray ownGradient = got.dw().dup(); // the update divides it in place
            INDArray stackedOwn = expected.dw().get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 3),
                    org.nd4j.linalg.indexing.NDArrayIndex.all());
            double largest = stackedOwn.amaxNumber().doubleValue();
            assertTrue(ownGradient.sub(stackedOwn).amaxNumber().doubleValue() <= 1e-4 * largest,
                    "the own rows' gradient is that of the pass over own and foreign rows stacked");
            float[][] foreignBefore = {head.foreignRow("x"), head.foreignRow("y"), head.foreignRow("z")};
            assertArrayEquals(rows.getRow(0).toFloatVector(), foreignBefore[0], 0f);

            head.update(0.05, 0);
            assertArrayEquals(foreignBefore[0], head.foreignRow("x"), 0f, "a foreign row is never stepped here");
            assertArrayEquals(foreignBefore[1], head.foreignRow("y"), 0f);
            assertArrayEquals(foreignBefore[2], head.foreignRow("z"), 0f);
            // Adam's first step, with its bias correction: lr * g / (|g| + eps / sqrt(1 - beta2)), g the own rows'
            // mean gradient (float rounding of entries near 1e-7 moves this step by percents, so g is the pass's own)
            INDArray g = ownGradient.div(batch.size());
            INDArray change = own.sub(head.state().get(0));
            for (int r = 0; r < 3; r++) {
                for (int k = 0; k < DIM; k++) {
                    double gk = g.getDouble(r, k);
                    double want = 0.05 * gk / (Math.abs(gk) + 1e-8 / Math.sqrt(0.001));
                    assertEquals(want, change.getDouble(r, k), 1e-5, "row " + r + " dim " + k);
                }
            }
            assertEquals(3, head.classes(), "foreign rows never become own rows");
            assertEquals(List.of("x", "y", "z"), head.foreignIdentities());
        }
    }

    @Test
    @DisplayName("An identity held as a foreign row that then comes in a batch gets its own row and leaves the "
            + "foreign ones: never a negative of its own images")
    void foreignIdentityBecomesOwn() {
        try (ClassHead head = head(LossKind.SOFTMAX, 1_000_000)) {
            step(head, pairs("a", "b"), 0);
            head.holdForeign(List.of("x", "y"), foreignRows(List.of("x", "y")), Nd4j.createFromArray(0f, 0f));
            List<String> batch = pairs("a", "y");
            INDArray labels = head.prepare(batch, 1);
            assertEquals(List.of("x"), head.foreignIdentities());
            HeadMath.Result r = head.forward(features(batch, 1), HeadLossTest.targets(labels), true);
            assertEquals(3, r.dw().size(0), "own a, b, y");
            assertEquals(1, head.stepForeignRows(), "and the foreign x");
            head.update(0.05, 0);
            assertEquals(3, head.classes());
            head.dropForeign();
            assertEquals(0, head.foreignClasses());
            step(head, pairs("a", "b"), 2);
        }
    }

    @Test
    @DisplayName("Foreign rows of another shape, or biases where the loss has none, are refused naming the shape")
    void foreignShapesChecked() {
        try (ClassHead soft = head(LossKind.SOFTMAX, 1_000_000); ClassHead arc = head(LossKind.ARCFACE, 1_000_000)) {
            INDArray narrow = Nd4j.zeros(DataType.FLOAT, 2, DIM - 1);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> soft.holdForeign(List.of("x", "y"), narrow, Nd4j.zeros(DataType.FLOAT, 2)));
            assertTrue(e.getMessage().contains("[2, " + DIM + "]"), e.getMessage());
            assertThrows(IllegalArgumentException.class,
                    () -> soft.holdForeign(List.of("x", "y"), foreignRows(List.of("x", "y")), null));
            e = assertThrows(IllegalArgumentException.class, () -> soft.holdForeign(List.of("x", "x"),
                    foreignRows(List.of("x", "y")), Nd4j.zeros(DataType.FLOAT, 2)));
            assertTrue(e.getMessage().contains("\"x\" is listed twice"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> arc.holdForeign(List.of("x", "y"),
                    foreignRows(List.of("x", "y")), Nd4j.zeros(DataType.FLOAT, 2)));
            assertTrue(e.getMessage().contains("no foreign biases"), e.getMessage());
            assertEquals(0, soft.foreignClasses());
        }
    }

    @Test
    @DisplayName("Above partialFcAbove classes in all, Partial FC samples the own rows and, at the same rate, the "
            + "foreign ones")
    void foreignRowsWithPartialFc() {
        try (ClassHead head = head(LossKind.COSFACE, 20)) {
            List<String> many = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                many.add("id" + i);
            }
            for (int s = 0; s < 4; s++) {
                step(head, pairs(many.subList(10 * s, 10 * s + 10).toArray(String[]::new)), s);
            }
            List<String> others = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                others.add("x" + i);
            }
            head.holdForeign(others, foreignRows(others), null);
            List<String> batch = pairs("id1", "id2");
            INDArray labels = head.prepare(batch, 9);
            int active = head.stepClasses().length;
            assertTrue(active < 40, "sampled: " + active);
            HeadMath.Result r = head.forward(features(batch, 9), HeadLossTest.targets(labels), true);
            assertEquals(active, r.dw().size(0), "the sampled own rows");
            assertEquals(3, head.stepForeignRows(), "a tenth of the 30 foreign rows");
            head.update(0.05, 0);

            try (ClassHead few = head(LossKind.COSFACE, 100)) {
                step(few, pairs("a", "b"), 0);
                few.holdForeign(others, foreignRows(others), null);
                INDArray l = few.prepare(pairs("a", "b"), 1);
                HeadMath.Result all = few.forward(features(pairs("a", "b"), 1), HeadLossTest.targets(l), true);
                assertEquals(2, all.dw().size(0));
                assertEquals(30, few.stepForeignRows(), "32 classes in all, under 100: every foreign row");
            }
        }
    }
}
