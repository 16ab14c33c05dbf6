package io.facestream.trainer.mesh;

import io.facestream.protocol.config.Settings;
import io.facestream.trainer.model.EmbeddingModel;
import io.facestream.trainer.model.ModelConfig;
import io.vertx.core.json.JsonObject;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * One trainer replica in a JVM of its own, for the mesh tests and the scaling bench: a small model trained on its
 * own random pairs (seeded by {@code data}) in a mesh, then its parameters written to {@code out} (float32,
 * big-endian, after a count). Arguments are {@code key=value}: the {@code trainer.mesh.*} keys without the prefix,
 * {@code steps}, {@code data}, {@code out}, {@code pace} (ms between steps, to keep a replica running while a test
 * acts on another), {@code pairs}, {@code architecture}, {@code inputSize}, {@code init} (a file for the parameters right after
 * joining), {@code quietMs} (the drain's quiet period), {@code sentFile} (where the count of sent updates goes after the
 * last step), {@code peerSent} (the peers' such files: waited for before the drain), {@code exact} (then wait
 * until every update the peers counted has arrived), {@code stopFile} (stop stepping once it exists), {@code learningRate}, {@code updateScale}, {@code mesh=false} (train alone: the
 * baseline of the scaling bench), {@code warmup} (steps left out of the rate), {@code loss} (TRIPLET by default,
 * or a class-head loss), {@code identities} ({@code first:count}: a class-head replica trains on identities
 * {@code id-first} to {@code id-(first+count-1)}, as Kafka's identity partitions would give it; default {@code 0:16})
 * and {@code headOut} (where a class-head replica writes its head's identities, one a line in row order, at the end).
 */
public final class MeshReplica {
    private MeshReplica() {
    }

    public static void main(String[] args) throws IOException {
        Map<String, String> a = new HashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            a.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        Map<String, String> mesh = new HashMap<>();
        mesh.put("trainer.mesh.enabled", a.getOrDefault("mesh", "true"));
        for (String k : new String[] {"host", "port", "seeds", "replicas", "threshold", "startTimeout", "peerTimeout", "maxLag", "lagWait", "updateScale"}) {
            if (a.containsKey(k)) {
                mesh.put("trainer.mesh." + k, a.get(k));
            }
        }
        MeshConfig meshConfig = MeshConfig.from(Settings.of(mesh));
        int steps = Integer.parseInt(a.getOrDefault("steps", "20"));
        long data = Long.parseLong(a.getOrDefault("data", "1"));
        long pace = Long.parseLong(a.getOrDefault("pace", "0"));
        int pairs = Integer.parseInt(a.getOrDefault("pairs", "8"));
        ModelConfig config = ModelConfig.fromJson(new JsonObject()
                .put("architecture", a.getOrDefault("architecture", "SMALL"))
                .put("inputSize", Integer.parseInt(a.getOrDefault("inputSize", "32")))
                .put("embeddingSize", 16).put("warmupSteps", 0)
                .put("learningRate", Double.parseDouble(a.getOrDefault("learningRate", "1e-3"))).put("loss", a.getOrDefault("loss", "TRIPLET")));
        String[] range = a.getOrDefault("identities", "0:16").split(":");
        Identities identities = new Identities(Integer.parseInt(range[0]), Integer.parseInt(range[1]), pairs,
                config.inputSize(), data);
        Random random = new Random(data);
        boolean meshed = Boolean.parseBoolean(a.getOrDefault("mesh", "true"));
        try (EmbeddingModel model = EmbeddingModel.create(config);
             AeronGradientMesh m = meshed ? new AeronGradientMesh(meshConfig, pairs) : null) {
            if (m != null) {
                try {
                    m.join(model);
                } catch (MeshException e) {
                    // as the trainer role does: the replica stops, non-zero, saying why
                    System.out.println("join failed: " + e.getMessage());
                    System.out.flush();
                    Runtime.getRuntime().halt(3);
                }
                System.out.println("joined at step " + model.step() + " root=" + m.root());
            }
            if (a.containsKey("init")) {
                write(model.trainingGraph().params(), Path.of(a.get("init")));
            }
            Path stopFile = a.containsKey("stopFile") ? Path.of(a.get("stopFile")) : null;
            int warmup = Integer.parseInt(a.getOrDefault("warmup", "0"));
            long start = System.nanoTime();
            int timed = 0;
            for (int s = 0; s < steps && (stopFile == null || !Files.exists(stopFile)); s++) {
                if (s == warmup) {
                    start = System.nanoTime();
                    timed = 0;
                }
                if (m != null) {
                    m.betweenSteps(model);
                }
                double loss;
                if (model.head() == null) {
                    INDArray images = batch(random, pairs, config.inputSize());
                    loss = model.fit(images).loss();
                    images.close();
                } else {
                    List<String> ids = identities.next();
                    INDArray images = identities.images(ids);
                    loss = model.fit(images, ids).loss();
                    images.close();
                }
                timed++;
                System.out.println("step " + model.step() + " loss " + loss
                        + (m == null ? "" : " received " + m.stats().updatesReceived()));
                if (pace > 0) {
                    pause(pace);
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            MeshStats st = m == null ? MeshStats.ALONE : m.stats();
            System.out.println("trained to step " + model.step() + " in " + seconds + " s: "
                    + (2.0 * pairs * timed / seconds) + " images/s over the last " + timed + " steps; " + st);
            if (m != null) {
                if (a.containsKey("sentFile")) {
                    writeAtomically(Path.of(a.get("sentFile")), Long.toString(m.stats().updatesSent()));
                }
                Duration quiet = Duration.ofMillis(Long.parseLong(a.getOrDefault("quietMs", "1500")));
                if (a.containsKey("peerSent")) {
                    long expected = awaitPeers(a.get("peerSent"));
                    if (Boolean.parseBoolean(a.getOrDefault("exact", "false"))) {
                        // every update the peers sent is here: nothing is in flight, no quiet period needed
                        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
                        while (m.stats().updatesReceived() < expected && System.nanoTime() < deadline) {
                            m.betweenSteps(model);
                            pause(20);
                        }
                        quiet = Duration.ZERO;
                    }
                }
                m.drain(model, quiet, Duration.ofSeconds(60));
                st = m.stats();
            }
            if (a.containsKey("out")) {
                write(model.trainingGraph().params(), Path.of(a.get("out")));
            }
            if (a.containsKey("headOut")) {
                writeAtomically(Path.of(a.get("headOut")), String.join("\n", model.head().identities().identities()));
            }
            System.out.println("done step " + model.step() + " sent " + st.updatesSent() + " updates "
                    + st.bytesSent() + " bytes (" + st.denseUpdatesSent() + " dense), received "
                    + st.updatesReceived() + " updates " + st.bytesReceived() + " bytes, params "
                    + model.numParams());
        }
        System.exit(0);
    }

    /** Pairs of random images: the two images of a pair differ by a little noise, pairs by everything. */
    private static INDArray batch(Random random, int pairs, int size) {
        int pixels = 3 * size * size;
        float[] values = new float[2 * pairs * pixels];
        for (int p = 0; p < pairs; p++) {
            for (int i = 0; i < pixels; i++) {
                float v = (float) random.nextGaussian();
                values[2 * p * pixels + i] = v;
                values[(2 * p + 1) * pixels + i] = v + (float) random.nextGaussian();
            }
        }
        return Nd4j.create(values, new long[] {2L * pairs, 3, size, size}, DataType.FLOAT);
    }

    /**
     * A replica's identities, {@code id-first} to {@code id-(first+count-1)}: each a fixed random image (seeded by
     * its number, so every replica draws the same image for one identity), shown with fresh noise; a batch is
     * {@code pairs} distinct identities drawn with the replica's own generator.
     */
    private static final class Identities {
        private final int first;
        private final int count;
        private final int pairs;
        private final int size;
        private final Random random;

        Identities(int first, int count, int pairs, int size, long seed) {
            this.first = first;
            this.count = count;
            this.pairs = pairs;
            this.size = size;
            this.random = new Random(seed);
        }

        List<String> next() {
            List<Integer> all = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                all.add(first + i);
            }
            Collections.shuffle(all, random);
            return all.subList(0, Math.min(pairs, count)).stream().map(i -> "id-" + i).toList();
        }

        INDArray images(List<String> ids) {
            int pixels = 3 * size * size;
            float[] values = new float[2 * ids.size() * pixels];
            for (int p = 0; p < ids.size(); p++) {
                Random face = new Random(Long.parseLong(ids.get(p).substring(3)));
                for (int i = 0; i < pixels; i++) {
                    float v = (float) face.nextGaussian();
                    values[2 * p * pixels + i] = v + 0.5f * (float) random.nextGaussian();
                    values[(2 * p + 1) * pixels + i] = v + 0.5f * (float) random.nextGaussian();
                }
            }
            return Nd4j.create(values, new long[] {2L * ids.size(), 3, size, size}, DataType.FLOAT);
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis); // pacing a replica's steps, not waiting for an event
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits for every peer's count of sent updates and returns their sum. */
    private static long awaitPeers(String files) throws IOException {
        long sum = 0;
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        for (String f : files.split(",")) {
            Path p = Path.of(f);
            while (!Files.exists(p) && System.nanoTime() < deadline) {
                pause(50);
            }
            sum += Long.parseLong(Files.readString(p).trim());
        }
        return sum;
    }

    private static void writeAtomically(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, text);
        Files.move(tmp, file);
    }

    static void write(INDArray params, Path out) throws IOException {
        float[] v = params.dup().data().asFloat();
        Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
        try (OutputStream os = Files.newOutputStream(tmp); DataOutputStream d = new DataOutputStream(os)) {
            d.writeInt(v.length);
            for (float f : v) {
                d.writeFloat(f);
            }
        }
        Files.move(tmp, out);
    }
}
