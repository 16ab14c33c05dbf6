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
}
