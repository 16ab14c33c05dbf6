package io.facestream.bench;

import io.facestream.broker.EmbeddedKafka;
import io.facestream.dataset.Images;
import io.facestream.dataset.SyntheticFaces;
import io.facestream.dataset.files.FileTrees;
import io.facestream.protocol.config.Settings;
import io.facestream.server.config.ServerConfig;
import io.facestream.server.http.MonitoredVertx;
import io.facestream.server.inference.InferenceStats;
import io.facestream.server.inference.InferenceThreads;
import io.facestream.server.ingest.IngestHandler;
import io.facestream.server.roles.RoleConfigs;
import io.facestream.server.roles.ServerNode;
import io.facestream.trainer.export.ModelExports;
import io.facestream.trainer.model.Architecture;
import io.facestream.trainer.model.EmbeddingModel;
import io.facestream.trainer.model.ModelConfig;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * HTTP load on {@code POST /api/embed} of the real server role ({@link ServerNode}, in this process, on loopback,
 * with an API token and an embedded broker for its metrics follower), next to the network alone.
 *
 * <p>For each architecture (SMALL at 64 px, MOBILEFACENET at 112 px, untrained weights: speed does not depend on
 * them) it exports a model, starts the server on it, and for each client count N keeps N requests in flight (each
 * client posts one JPEG synthetic face of the model's input size, and posts again when the answer comes) for a
 * warm-up and then a measured window (extended, up to 4x, until the server has made at least 5 network calls). It reports answered images/s, p50/p99 latency and the non-200 answers,
 * and the mean batch the server's dynamic batching formed in the window ({@code inference.meanBatch} of
 * {@code GET /api/status}). Then, with the server idle, it times the network alone
 * ({@link EmbeddingModel#embed} of a loaded copy of the export) at that batch size, and prints:
 *
 * <ul>
 *   <li>{@code ROW} HTTP images/s against the network alone at the formed batch (goal >= 0.7 at 64 clients);</li>
 *   <li>{@code ROW} p99 against the batch window plus one batch's compute (goal <= 2x).</li>
 * </ul>
 *
 * <p>Usage: {@code ServingBench [--architectures SMALL,MOBILEFACENET] [--clients 1,8,64] [--warmup-s 10]
 * [--measure-s 8] [--network-s 3] [--window-ms 5] [--max-batch 32] [--set key=value]...}; bench/serving.sh
 * builds and runs it. The client runs in this JVM on its own Vert.x, so it shares the CPU with the server, as
 * a client on the same machine would. The warm-up is 10 s per client count because the JIT compiles the
 * serving path in the background during the first seconds, on the same cores (with 3 s, SMALL's p99 at one client
 * was 14-17 ms; with 10 s, 12-14).
 */
public final class ServingBench {
    private static final String TOKEN = "serving-bench-token";

    private ServingBench() {
    }

    public static void main(String[] args) throws Exception {
        Options o = Options.parse(args);
        System.out.printf("serving bench: architectures %s, clients %s, warm-up %d s, measured %d s, window %d ms, "
                        + "maxBatch %d, %d cores, load average %s%n", o.architectures, o.clients, o.warmupSeconds,
                o.measureSeconds, o.windowMs, o.maxBatch, Runtime.getRuntime().availableProcessors(), loadAverage());
        Path work = Files.createDirectories(Path.of("bench/target/serving"));
        List<String> rows = new ArrayList<>();
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            for (Architecture arch : o.architectures) {
                rows.addAll(runArchitecture(arch, kafka, work, o));
            }
        }
        System.out.println();
        rows.forEach(System.out::println);
    }

    private static List<String> runArchitecture(Architecture arch, EmbeddedKafka kafka, Path work, Options o)
            throws Exception {
        int size = arch.defaultInputSize();
        Path models = work.resolve(arch.name().toLowerCase(Locale.ROOT));
        if (Files.exists(models)) {
            FileTrees.deleteTree(models);
        }
        ModelConfig modelConfig = ModelConfig.defaults(arch).withInputSize(size);
        try (EmbeddingModel model = EmbeddingModel.create(modelConfig)) {
            ModelExports exports = new ModelExports(models);
            exports.stage(model, 1, 1.0);
            exports.publish(1, 1.0, "bench", new JsonObject());
        }
        Path exportDir = ModelExports.latest(models).orElseThrow().dir();
        byte[] jpeg = Images.encodeJpeg(SyntheticFaces.render(7, 1, 0, size), SyntheticFaces.JPEG_QUALITY);
        System.out.printf("%n%s: %dx%d, export %s, request body %d bytes (JPEG)%n", arch, size, size, exportDir,
                jpeg.length);

        Map<String, String> keys = new HashMap<>(o.settings);
        keys.put("server.modelDir", models.toString());
        keys.put("server.apiToken", TOKEN);
        keys.put("server.api.batchWindow", o.windowMs + "ms");
        keys.put("server.api.maxBatch", Integer.toString(o.maxBatch));
        keys.put("kafka.bootstrap.servers", kafka.bootstrapServers());
        Settings settings = Settings.of(keys);
        ServerConfig config = ServerConfig.from(settings);
        System.out.println("server " + config);
        MonitoredVertx server = MonitoredVertx.create();
        Vertx clientVertx = Vertx.vertx();
        List<String> rows = new ArrayList<>();
        ServerNode node = ServerNode.start(server.vertx(), server.registry(), config, 0, kafka.bootstrapServers(),
                RoleConfigs.kafka(settings), () -> Future.succeededFuture(true), IngestHandler.refusing())
                .await(2, TimeUnit.MINUTES);
        try (EmbeddingModel alone = EmbeddingModel.loadInference(exportDir)) {
            HttpClientAgent client = clientVertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1")
                    .setDefaultPort(node.port()), new PoolOptions().setHttp1MaxSize(o.clients.stream()
                    .mapToInt(Integer::intValue).max().orElse(1)));
            for (int clients : o.clients) {
                Load load = load(clientVertx, client, jpeg, clients, o);
                InferenceStats formed = load.after.since(load.before);
                double batch = Math.max(1, formed.meanBatch());
                Network net = network(alone, (int) Math.round(batch), size, o.networkSeconds,
                        config.api().batching().threads());
                double ratio = load.imagesPerSecond() / net.imagesPerSecond();
                double bound = o.windowMs + net.millisPerBatch();
                double busy = formed.networkNanos() / (double) load.measuredNanos();
                System.out.printf("%s %d clients: %.1f images/s answered (200), p50 %.1f ms, p90 %.1f ms, p95 %.1f "
                                + "ms, p99 %.1f ms, p99.9 %.1f ms, non-200 "
                                + "%d %s; mean batch %.2f over %d network calls (status refusedBusy %d), in the "
                                + "server %.1f ms per network call, network busy %.0f %% of the time; network alone at "
                                + "batch %d (%d threads, as the server): %.1f images/s, %.1f ms per batch; ratio %.2f; "
                                + "load average %s%n",
                        arch, clients, load.imagesPerSecond(), load.percentile(50), load.percentile(90),
                        load.percentile(95), load.percentile(99), load.percentile(99.9), load.non200(), load.statuses,
                        formed.meanBatch(), formed.networkCalls(), formed.refusedBusy(),
                        formed.networkNanos() / 1e6 / Math.max(1, formed.networkCalls()), 100 * busy,
                        net.batch, net.threads, net.imagesPerSecond(), net.millisPerBatch(), ratio, loadAverage());
                String what = arch + " " + size + "px " + clients + " clients, maxBatch " + o.maxBatch;
                String goal64 = clients == 64 ? ">= 0.7" : "-";
                rows.add(String.format(Locale.ROOT, "ROW serving %s: HTTP images/s vs network alone at batch %d "
                                + "(p50 %.1f ms, non-200 %d, network busy %.0f %% in the server) | %.1f | %.1f | %.2f | %s",
                        what, net.batch, load.percentile(50), load.non200(), 100 * busy, load.imagesPerSecond(),
                        net.imagesPerSecond(), ratio,
                        goal64));
                rows.add(String.format(Locale.ROOT, "ROW serving %s: p99 ms vs window %d ms + one batch of %d "
                                + "(%.1f ms) | %.1f | %.1f | %.2f | <= 2", what, o.windowMs, net.batch,
                        net.millisPerBatch(), load.percentile(99), bound, load.percentile(99) / bound));
            }
            client.close().await(30, TimeUnit.SECONDS);
        } finally {
            node.stop().await(1, TimeUnit.MINUTES);
            server.vertx().close().await(1, TimeUnit.MINUTES);
            clientVertx.close().await(1, TimeUnit.MINUTES);
        }
        return rows;
    }

    /** What one client count gave in the measured window. */
    private record Load(long measuredNanos, long[] okLatencies, Map<Integer, Long> statuses, InferenceStats before,
                        InferenceStats after) {
        double imagesPerSecond() {
            return okLatencies.length / (measuredNanos / 1e9);
        }

        long non200() {
            return statuses.entrySet().stream().filter(e -> e.getKey() != 200).mapToLong(Map.Entry::getValue).sum();
        }

        /** Nearest-rank percentile of the answered (200) requests' latency, ms. */
        double percentile(double p) {
            if (okLatencies.length == 0) {
                return Double.NaN;
            }
            int rank = (int) Math.ceil(p / 100 * okLatencies.length);
            return okLatencies[Math.max(0, rank - 1)] / 1e6;
        }
    }

    /** Keeps {@code clients} requests in flight for the warm-up and the measured window, then lets them finish. */
    private static Load load(Vertx vertx, HttpClientAgent client, byte[] jpeg, int clients, Options o)
            throws Exception {
        Recorder recorder = new Recorder();
        Buffer body = Buffer.buffer(jpeg);
        List<Future<Void>> done = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            Promise<Void> finished = Promise.promise();
            vertx.runOnContext(v -> loop(client, body, recorder, finished));
            done.add(finished.future());
        }
        Thread.sleep(o.warmupSeconds * 1000L);
        InferenceStats before = status(client);
        long start = System.nanoTime();
        recorder.from(start);
        Thread.sleep(o.measureSeconds * 1000L);
        InferenceStats after = status(client);
        // a slow network (MOBILEFACENET at 64 clients on a busy machine) gets at least 5 batches, up to 4x longer
        while (after.since(before).networkCalls() < 5 && System.nanoTime() - start < 4L * o.measureSeconds * 1e9) {
            Thread.sleep(1000);
            after = status(client);
        }
        long end = System.nanoTime();
        recorder.until(end);
        recorder.stop();
        Future.all(done).await(2, TimeUnit.MINUTES);
        return new Load(end - start, recorder.sortedOk(), recorder.statuses(), before, after);
    }

    private static void loop(HttpClientAgent client, Buffer body, Recorder recorder, Promise<Void> finished) {
        if (!recorder.running()) {
            finished.complete();
            return;
        }
        long sent = System.nanoTime();
        client.request(new RequestOptions().setMethod(HttpMethod.POST).setURI("/api/embed")
                        .putHeader("Authorization", "Bearer " + TOKEN).putHeader("Content-Type", "image/jpeg"))
                .compose(req -> req.send(body))
                .compose(resp -> resp.body().map(b -> resp.statusCode()))
                .onComplete(ar -> {
                    recorder.record(sent, System.nanoTime(), ar.succeeded() ? ar.result() : -1);
                    loop(client, body, recorder, finished);
                });
    }

    private static InferenceStats status(HttpClientAgent client) throws Exception {
        JsonObject status = client.request(new RequestOptions().setMethod(HttpMethod.GET).setURI("/api/status")
                        .putHeader("Authorization", "Bearer " + TOKEN))
                .compose(req -> req.send().compose(resp -> {
                    if (resp.statusCode() != 200) {
                        return Future.failedFuture("GET /api/status answered " + resp.statusCode());
                    }
                    return resp.body();
                }))
                .map(Buffer::toJsonObject).await(30, TimeUnit.SECONDS);
        JsonObject inference = status.getJsonObject("inference");
        if (inference == null) {
            throw new IllegalStateException("GET /api/status has no inference counters: " + status.encode());
        }
        return InferenceStats.fromJson(inference);
    }

    /** The network alone at one batch size: images/s and time per batch. */
    private record Network(int batch, int threads, long calls, long nanos) {
        double imagesPerSecond() {
            return batch * calls / (nanos / 1e9);
        }

        double millisPerBatch() {
            return nanos / 1e6 / calls;
        }
    }

    /** The network alone at {@code batch}, on as many threads as the server gives a batch of that size. */
    private static Network network(EmbeddingModel model, int batch, int size, int seconds, InferenceThreads threads) {
        int used = threads.apply(batch);
        try (INDArray input = Nd4j.rand(new long[] {batch, 3, size, size}).subi(0.5)) {
            for (int i = 0; i < 3; i++) {
                model.embed(input).close();
            }
            long start = System.nanoTime();
            long deadline = start + seconds * 1_000_000_000L;
            long calls = 0;
            long now;
            do {
                // as the server does: the embeddings come back to the heap, and the array is freed at once
                try (INDArray out = model.embed(input)) {
                    out.toFloatMatrix();
                }
                calls++;
                now = System.nanoTime();
            } while (now < deadline);
            return new Network(batch, used, calls, now - start);
        }
    }

    /** Latencies and statuses of the requests that completed inside the measured window. */
    private static final class Recorder {
        private volatile boolean running = true;
        private volatile long from = Long.MAX_VALUE;
        private volatile long until = Long.MAX_VALUE;
        private final List<Long> ok = new ArrayList<>();
        private final Map<Integer, Long> statuses = new HashMap<>();
        private final AtomicLong total = new AtomicLong();

        boolean running() {
            return running;
        }

        void from(long nanos) {
            from = nanos;
        }

        void until(long nanos) {
            until = nanos;
        }

        void stop() {
            running = false;
        }

        synchronized void record(long sent, long answered, int status) {
            total.incrementAndGet();
            if (answered < from || answered > until) {
                return;
            }
            statuses.merge(status, 1L, Long::sum);
            if (status == 200) {
                ok.add(answered - sent);
            }
        }

        synchronized long[] sortedOk() {
            long[] out = ok.stream().mapToLong(Long::longValue).toArray();
            Arrays.sort(out);
            return out;
        }

        synchronized Map<Integer, Long> statuses() {
            return Map.copyOf(statuses);
        }
    }

    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (Exception e) {
            return "unknown";
        }
    }

    private static final class Options {
        List<Architecture> architectures = List.of(Architecture.SMALL, Architecture.MOBILEFACENET);
        List<Integer> clients = List.of(1, 8, 64);
        int warmupSeconds = 10;
        int measureSeconds = 8;
        int networkSeconds = 3;
        int windowMs = 5;
        int maxBatch = 32;
        Map<String, String> settings = new HashMap<>();

        static Options parse(String[] args) {
            Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                String value = i + 1 < args.length ? args[i + 1] : null;
                switch (args[i]) {
                    case "--architectures" -> o.architectures = Arrays.stream(value.split(","))
                            .map(s -> Architecture.valueOf(s.trim().toUpperCase(Locale.ROOT))).toList();
                    case "--clients" -> o.clients = Arrays.stream(value.split(",")).map(s -> Integer.parseInt(s.trim()))
                            .toList();
                    case "--warmup-s" -> o.warmupSeconds = Integer.parseInt(value);
                    case "--measure-s" -> o.measureSeconds = Integer.parseInt(value);
                    case "--network-s" -> o.networkSeconds = Integer.parseInt(value);
                    case "--window-ms" -> o.windowMs = Integer.parseInt(value);
                    case "--max-batch" -> o.maxBatch = Integer.parseInt(value);
                    case "--set" -> {
                        int eq = value.indexOf('=');
                        if (eq < 1) {
                            throw new IllegalArgumentException("--set takes key=value, got " + value);
                        }
                        o.settings.put(value.substring(0, eq), value.substring(eq + 1));
                    }
                    default -> throw new IllegalArgumentException("unknown argument " + args[i] + " (see the class "
                            + "comment of ServingBench)");
                }
                i++;
            }
            return o;
        }
    }
}
