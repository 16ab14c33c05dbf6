package io.facestream.trainer.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;

import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.L2NormalizeVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;

class TripletLossTest {

    private static final double EPS = 1e-9;

    static Stream<Arguments> variants() {
        return Stream.of(Arguments.of(TripletMode.SEED, Mining.SEMI_HARD),
                Arguments.of(TripletMode.BATCH, Mining.HARD),
                Arguments.of(TripletMode.BATCH, Mining.SEMI_HARD));
    }

    @Test
    @DisplayName("three 2-d points: loss 0.95 and gradients (-2,1) (2,0) (0,-1) per triplet")
    void threePointsByHand() {
        // a=(0,0) p=(1,0) n=(0,0.5): d(a,p)=1, d(a,n)=0.25, loss = 1 - 0.25 + 0.2 = 0.95.
        // d/da = 2(n-p) = (-2,1), d/dp = 2(p-a) = (2,0), d/dn = 2(a-n) = (0,-1).
        // As a seed batch (a, p | n, n): the second triplet (n, n, a) has hinge 0 - 0.25 + 0.2 < 0, so the
        // triplet mean is 0.95 / 2 and the row sum (each triplet on both rows of its pair) is 2 * 0.95.
        INDArray e = Nd4j.createFromArray(new double[][] {{0, 0}, {1, 0}, {0, 0.5}, {0, 0.5}});
        TripletLoss loss = new TripletLoss(0.2, TripletMode.SEED, Mining.HARD);
        IActivation identity = Activation.IDENTITY.getActivationFunction();
        INDArray labels = Nd4j.zeros(DataType.DOUBLE, 4, 2);

        assertArrayEquals(new double[] {0.95, 0.95, 0, 0},
                loss.computeScoreArray(labels, e, identity, null).toDoubleVector(), EPS);
        assertEquals(0.475, loss.computeScore(labels, e, identity, null, true), EPS);
        assertEquals(1.9, loss.computeScore(labels, e, identity, null, false), EPS);
        double[][] grad = loss.computeGradient(labels, e, identity, null).toDoubleMatrix();
        double[][] perTriplet = Arrays.stream(grad).map(r -> Arrays.stream(r).map(v -> v / 2).toArray())
                .toArray(double[][]::new);
        assertArrayEquals(new double[] {-2, 1}, perTriplet[0], EPS);
        assertArrayEquals(new double[] {2, 0}, perTriplet[1], EPS);
        assertArrayEquals(new double[] {0, -1}, perTriplet[2], EPS);
        assertArrayEquals(new double[] {0, 0}, perTriplet[3], EPS);
    }

    @Test
    @DisplayName("two-pair batch: seed, batch-hard and batch-semi-hard scores are the hand-computed means")
    void twoPairScoresByHand() {
        // worked out in TripletMinerTest: seed (0.95, 4.2), hard (0.95, 0, 4.2, 2.45), semi-hard (0, 0, 3.2, 0)
        INDArray e = Nd4j.createFromArray(TripletMinerTest.TWO_PAIRS);
        INDArray labels = Nd4j.zeros(DataType.DOUBLE, 4, 2);
        IActivation identity = Activation.IDENTITY.getActivationFunction();
        assertEquals(2.575, new TripletLoss(0.2, TripletMode.SEED, Mining.HARD)
                .computeScore(labels, e, identity, null, true), EPS);
        assertEquals(1.9, new TripletLoss(0.2, TripletMode.BATCH, Mining.HARD)
                .computeScore(labels, e, identity, null, true), EPS);
        TripletLoss semiHard = new TripletLoss(0.2, TripletMode.BATCH, Mining.SEMI_HARD);
        assertEquals(0.8, semiHard.computeScore(labels, e, identity, null, true), EPS);
        assertEquals(0.25, semiHard.lastTriplets().activeFraction(), EPS);
        // only anchor 2 is active: its triplet (2, 3, 1) gives 2(n-p) to row 2, 2(p-a) to row 3, 2(a-n) to row 1
        double[][] grad = semiHard.computeGradient(labels, e, identity, null).toDoubleMatrix();
        assertArrayEquals(new double[] {0, 0}, grad[0], EPS);
        assertArrayEquals(new double[] {-2, 1}, grad[1], EPS);
        assertArrayEquals(new double[] {-2, -2}, grad[2], EPS);
        assertArrayEquals(new double[] {4, 1}, grad[3], EPS);
    }

    @ParameterizedTest
    @MethodSource("variants")
    @DisplayName("analytic gradient matches central finite differences away from hinge kinks and mining ties")
    void gradientMatchesFiniteDifferences(TripletMode mode, Mining mining) {
        Random random = new Random(1234 + mode.ordinal() * 10 + mining.ordinal());
        TripletLoss loss = new TripletLoss(0.3, mode, mining);
        double h = 1e-6;
        int checked = 0;
        int drawn = 0;
        while (checked < 25) {
            assertTrue(++drawn < 500, "too many samples near a kink: " + checked + " of " + drawn);
            int rows = 2 * (2 + random.nextInt(4));
            int dim = 2 + random.nextInt(4);
            IActivation activation = (random.nextBoolean() ? Activation.IDENTITY : Activation.TANH)
                    .getActivationFunction();
            double[][] x = new double[rows][dim];
            for (double[] row : x) {
                for (int k = 0; k < dim; k++) {
                    row[k] = random.nextGaussian() * 0.7;
                }
            }
            INDArray labels = Nd4j.zeros(DataType.DOUBLE, rows, dim);
            INDArray base = Nd4j.createFromArray(x);
            double[][] analytic = loss.computeGradient(labels, base, activation, null).toDoubleMatrix();
            Triplets chosen = loss.lastTriplets();
            if (chosen.activeFraction() == 0) {
                continue;
            }
            boolean smooth = true;
            double[][] numeric = new double[rows][dim];
            for (int r = 0; r < rows && smooth; r++) {
                for (int k = 0; k < dim && smooth; k++) {
                    double[] scores = new double[2];
                    for (int s = 0; s < 2; s++) {
                        INDArray moved = base.dup();
                        moved.putScalar(r, k, x[r][k] + (s == 0 ? h : -h));
                        scores[s] = loss.computeScore(labels, moved, activation, null, false);
                        smooth &= sameSelection(chosen, loss.lastTriplets());
                    }
                    numeric[r][k] = (scores[0] - scores[1]) / (2 * h);
                }
            }
            if (!smooth) {
                continue;
            }
            for (int r = 0; r < rows; r++) {
                for (int k = 0; k < dim; k++) {
                    double scale = Math.max(1, Math.abs(numeric[r][k]));
                    assertEquals(numeric[r][k], analytic[r][k], 1e-6 * scale,
                            "row " + r + " dim " + k + " of " + rows + "x" + dim + " " + activation);
                }
            }
            checked++;
        }
    }

    @ParameterizedTest
    @MethodSource("variants")
    @DisplayName("DL4J's GradientCheckUtil passes on dense -> L2 normalise -> triplet loss")
    void dl4jGradientCheck(TripletMode mode, Mining mining) {
        // GradientCheckUtil insists on double as the global default type; restore the default afterwards
        DataType defaultType = Nd4j.dataType();
        DataType defaultFloatType = Nd4j.defaultFloatingPointType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        boolean ok;
        try {
            ComputationGraph graph = new ComputationGraph(tinyGraph(new TripletLoss(0.5, mode, mining)));
            graph.init();
            INDArray input = Nd4j.createFromArray(TripletMinerTest.randomUnitRows(new Random(5), 8, 5));
            INDArray labels = Nd4j.zeros(DataType.DOUBLE, 8, 4);
            ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(graph)
                    .inputs(new INDArray[] {input}).labels(new INDArray[] {labels})
                    .epsilon(1e-6).maxRelError(1e-5).minAbsoluteError(1e-9).exitOnFirstError(true));
        } finally {
            Nd4j.setDefaultDataTypes(defaultType, defaultFloatType);
        }
        assertTrue(ok, "DL4J gradient check failed for " + mode + "/" + mining);
    }

    @Test
    @DisplayName("the loss round-trips through DL4J's JSON configuration")
    void jsonRoundTrip() {
        TripletLoss loss = new TripletLoss(0.35, TripletMode.SEED, Mining.HARD);
        ComputationGraphConfiguration conf = tinyGraph(loss);
        ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(conf.toJson());
        assertEquals(conf, back);
        LossLayer layer = (LossLayer) back.getVertices().values().stream()
                .filter(v -> v instanceof org.deeplearning4j.nn.conf.graph.LayerVertex lv
                        && lv.getLayerConf().getLayer() instanceof LossLayer)
                .map(v -> ((org.deeplearning4j.nn.conf.graph.LayerVertex) v).getLayerConf().getLayer())
                .findFirst().orElseThrow();
        assertEquals(loss, layer.getLossFn());
    }

    @Test
    @DisplayName("masks and non-matrix inputs are rejected with the reason")
    void rejectsMasksAndBadShapes() {
        TripletLoss loss = new TripletLoss(0.2, TripletMode.BATCH, Mining.HARD);
        IActivation identity = Activation.IDENTITY.getActivationFunction();
        INDArray e = Nd4j.rand(DataType.DOUBLE, 4, 3);
        IllegalArgumentException mask = assertThrows(IllegalArgumentException.class,
                () -> loss.computeGradient(e, e, identity, Nd4j.ones(4, 1)));
        assertTrue(mask.getMessage().contains("mask"), mask.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> loss.computeScore(e, Nd4j.rand(DataType.DOUBLE, 4, 3, 2), identity, null, true));
    }

    private static boolean sameSelection(Triplets a, Triplets b) {
        if (!Arrays.equals(a.negatives(), b.negatives())) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if ((a.losses()[i] > 0) != (b.losses()[i] > 0)) {
                return false;
            }
        }
        return true;
    }

    private static ComputationGraphConfiguration tinyGraph(TripletLoss loss) {
        return new NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE).seed(3).updater(new NoOp())
                .weightInit(WeightInit.XAVIER).graphBuilder()
                .addInputs("in").setInputTypes(InputType.feedForward(5))
                .addLayer("fc", new DenseLayer.Builder().nOut(4).activation(Activation.TANH).build(), "in")
                .addVertex("embedding", new L2NormalizeVertex(), "fc")
                .addLayer("loss", new LossLayer.Builder(loss).activation(Activation.IDENTITY).build(), "embedding")
                .setOutputs("loss").build();
    }
}
