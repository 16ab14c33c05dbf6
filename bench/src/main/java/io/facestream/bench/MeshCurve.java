package io.facestream.bench;

import io.facestream.protocol.config.Settings;
import io.facestream.server.roles.RoleConfigs;
import io.facestream.trainer.TrainerConfig;
import io.facestream.trainer.mesh.AeronGradientMesh;
import io.facestream.trainer.mesh.HeadRowsExchange;
import io.facestream.trainer.mesh.MeshConfig;
import io.facestream.trainer.model.EmbeddingModel;
import io.facestream.trainer.model.ModelConfig;
import io.facestream.trainer.model.StepResult;

import java.nio.file.Path;
import java.time.Duration;

/**
 * One replica of a gradient mesh on a learning curve ({@code bench/mesh-curve.sh}): trains on its share of the
 * synthetic identities ({@code curve.shard} of {@code curve.shards}, every {@code shards}-th identity, as Kafka's
 * identity partitions would split them) with {@link CurveData}'s batches, in the mesh configured by the
 * {@code trainer.mesh.*} keys. The root evaluates with {@link LearningCurve}'s protocol every {@code curve.evalEvery}
 * steps and once more after the last step, when the other replicas' updates in flight are applied; each line adds
 * the pairs the whole mesh has trained on ({@code step x trainer.batchPairs x curve.shards}). The other replicas
 * train and print nothing but their progress. Other keys as {@link LearningCurve}.
 */
public final class MeshCurve {
    private MeshCurve() {
    }

    public static void main(String[] args) throws Exception {
        Settings s = LearningCurve.settings(args);
        int steps = s.integer("curve.steps", 400, 1, 1_000_000);
        int evalEvery = s.integer("curve.evalEvery", 100, 1, 1_000_000);
        int shards = s.integer("curve.shards", 2, 1, 64);
        int shard = s.integer("curve.shard", 0, 0, shards - 1);
        TrainerConfig trainer = TrainerConfig.from(s);
        ModelConfig modelConfig = RoleConfigs.model(s);
        MeshConfig meshConfig = MeshConfig.from(s);
        String rowsDir = s.string("curve.rowsDir", "");
        if (meshConfig.foreignRowsEvery() > 0 && rowsDir.isEmpty()) {
            throw new IllegalArgumentException("trainer.mesh.foreignRowsEvery needs curve.rowsDir, the folder the "
                    + "replicas exchange their class rows in");
        }
        try (CurveData data = new CurveData(s, trainer, modelConfig, shard, shards);
             EmbeddingModel model = EmbeddingModel.create(modelConfig);
             AeronGradientMesh mesh = new AeronGradientMesh(meshConfig, data.batchPairs())) {
            mesh.join(model);
            HeadRowsExchange rows = meshConfig.foreignRowsEvery() == 0 ? null : new HeadRowsExchange(
                    Path.of(rowsDir), mesh.id(), "mesh-curve", meshConfig.foreignRowsEvery(),
                    meshConfig.foreignRowsMax());
            boolean root = mesh.root();
            System.out.printf("replica %s root=%s trains on %d identities, %d pairs a step%n", mesh.id(), root,
                    data.trainIdentities(), data.batchPairs());
            long pairsPerMeshStep = (long) data.batchPairs() * shards;
            long t0 = System.nanoTime();
            double lossSum = 0;
            for (int step = 0; step <= steps; step++) {
                if (step == steps) {
                    mesh.drain(model, Duration.ofSeconds(3), Duration.ofSeconds(60));
                }
                if (root && (step % evalEvery == 0 || step == steps)) {
                    int since = step % evalEvery == 0 ? evalEvery : step % evalEvery;
                    System.out.println(data.evaluate(model, step, (System.nanoTime() - t0) / 1e9,
                            step == 0 ? 0 : lossSum / since) + "  pairs " + step * pairsPerMeshStep);
                    lossSum = 0;
                } else if (!root && step % evalEvery == 0) {
                    System.out.printf("step %d loss %.4f classes %d foreign %d%n", step,
                            step == 0 ? 0 : lossSum / evalEvery, model.classes(),
                            model.head() == null ? 0 : model.head().foreignClasses());
                    lossSum = 0;
                }
                if (step == steps) {
                    break;
                }
                mesh.betweenSteps(model);
                try (CurveData.Batch b = data.next()) {
                    StepResult r = model.fit(b.images(), b.identities());
                    lossSum += r.loss();
                }
                if (rows != null) {
                    rows.afterStep(model, step + 1);
                }
            }
            System.out.println("done step " + model.step() + " " + mesh.stats());
        }
        System.exit(0);
    }
}
