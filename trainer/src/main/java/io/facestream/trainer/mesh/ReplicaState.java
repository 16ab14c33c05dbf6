package io.facestream.trainer.mesh;

import io.facestream.trainer.model.EmbeddingModel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Set;
import java.util.TreeSet;

/**
 * What of a model the mesh shares and what each replica keeps to itself.
 *
 * <p>Shared: the DL4J network, which must hold the backbone and nothing else: its parameters, updater state and
 * step are what a joiner copies from the root ({@link StateExchange}) and what the encoded updates change.
 *
 * <p>Kept: a class head (softmax, CosFace, ArcFace). Its rows live outside the network and are stepped by the
 * model after the network's step, so the mesh never sees them: DL4J's {@code StochasticGradientDescent} hands the
 * mesh's accumulator the network's flat update (shaped as the network's parameters) and nothing else, and the head's
 * Adam step ({@code ClassHead.update}) runs after {@code ComputationGraph.fit} has returned. Kafka keys pairs by identity, so each replica trains
 * on the identities of its own partitions; its head is the shard of the classes it trains on (rows imprinted as
 * each identity first appears), and its softmax contrasts a batch with that shard only, as Partial FC restricted
 * to the local classes.
 */
final class ReplicaState {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaState.class);

    private ReplicaState() {
    }

    /**
     * @throws MeshException for an inference-only model, a run with a loss switch (it replaces the network the mesh
     *                       is hooked into), or a network holding parameters outside the backbone (the mesh would
     *                       share them)
     */
    static void checkShareable(EmbeddingModel model) {
        if (!model.trainable()) {
            throw new MeshException("mesh: an inference-only model cannot train in a mesh");
        }
        long switchAt = model.config().losses().lossSwitchStep();
        if (switchAt > 0) {
            throw new MeshException("mesh: trainer.lossSwitchStep is " + switchAt + ", but a loss switch replaces "
                    + "the network the mesh is hooked into; trainer.mesh.enabled needs trainer.lossSwitchStep=0");
        }
        Set<String> outside = new TreeSet<>(model.parameterNames());
        outside.removeAll(model.backboneParameterNames());
        if (!outside.isEmpty()) {
            throw new MeshException("mesh: the " + model.loss() + " network holds parameters outside the backbone "
                    + outside + "; the mesh shares the whole network, so it cannot train this model");
        }
    }

    /**
     * A replica other than the root starts its own head shard: a head loaded with the model (a replica that shares
     * the root's checkpoint directory resumes from the root's checkpoint) holds the root's rows, for identities
     * this replica does not train on, so it is emptied. The root keeps its head (its checkpoint's).
     *
     * @return the number of rows dropped
     */
    static int keepOwnHead(EmbeddingModel model, boolean root) {
        if (root || model.head() == null || model.classes() == 0) {
            return 0;
        }
        int dropped = model.resetHead();
        LOG.info("mesh: dropped the {} class-head rows loaded with the model (the root's shard); this replica "
                + "imprints a row for each identity it trains on", dropped);
        return dropped;
    }
}
