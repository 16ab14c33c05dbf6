package io.facestream.trainer.model;

import io.facestream.trainer.loss.LossKind;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import io.facestream.dataset.files.AtomicFile;
import io.facestream.trainer.head.ClassHead;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import io.vertx.core.json.JsonObject;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;

/**
 * The on-disk forms of an {@link EmbeddingModel}.
 * <ul>
 *   <li>Checkpoint: one DL4J model zip (configuration, parameters, updater state, step) with an extra entry
 *       {@value #CONFIG_ENTRY} holding the {@link ModelConfig} and, when a class head trains, {@value #HEAD_ENTRY}
 *       (identity map) and {@value #HEAD_ARRAYS_ENTRY} (rows and Adam state); written to a temporary file and
 *       renamed.</li>
 *   <li>Inference export: a directory with {@value #INFERENCE_MODEL} (the graph without loss layer or updater
 *       state) and the sidecar {@value #SIDECAR}.</li>
 * </ul>
 */
final class ModelArchive {

    static final String CONFIG_ENTRY = "facestream-model.json";
    /** The class head's identity map and Adam step count (a checkpoint of a head loss only). */
    static final String HEAD_ENTRY = "facestream-head.json";
    /** The class head's arrays: W, its Adam moments and, for softmax, the biases and theirs. */
    static final String HEAD_ARRAYS_ENTRY = "facestream-head.bin";
    static final String INFERENCE_MODEL = "model.zip";
    static final String SIDECAR = "model.json";
    static final String FORMAT = "facestream-embedding/1";

    /** Sidecar keys this class writes; caller extras may not override them. */
    private static final Set<String> OWN_KEYS = Set.of("format", "modelFile", "architecture", "inputSize",
            "channels", "layout", "normalisation", "embeddingSize", "distance", "step", "config");

    private ModelArchive() {
    }

    /** A checkpoint's class head: the identities in row order, Adam's step count and {@link ClassHead#state()}. */
    record HeadState(List<String> identities, long updates, List<INDArray> arrays) {
    }

    /** @param head the checkpoint's class head, or null (triplet loss, or an inference model) */
    record Loaded(ComputationGraph graph, ModelConfig config, HeadState head) {
        Loaded(ComputationGraph graph, ModelConfig config) {
            this(graph, config, null);
        }
    }

    static void writeCheckpoint(ComputationGraph graph, ModelConfig config, Path file) throws IOException {
        writeCheckpoint(graph, config, null, file);
    }

    /** Writes the graph, config and (if not null) the class head with its identity map into one zip. */
    static void writeCheckpoint(ComputationGraph graph, ModelConfig config, ClassHead head, Path file)
            throws IOException {
        try (AtomicFile tmp = AtomicFile.beside(file)) {
            ModelSerializer.writeModel(graph, tmp.path().toFile(), true);
            try (FileSystem zip = FileSystems.newFileSystem(tmp.path())) {
                Files.writeString(zip.getPath(CONFIG_ENTRY), new JsonObject().put("format", FORMAT)
                        .put("config", config.toJson()).encodePrettily());
                if (head != null) {
                    writeHead(head, null, zip);
                }
            }
            tmp.commit();
        }
    }

    /**
     * Writes a class head alone (its identity map, Adam step count and arrays) into a new zip, atomically, marked
     * with the run it belongs to.
     */
    static void writeHeadFile(ClassHead head, String runId, Path file) throws IOException {
        try (AtomicFile tmp = AtomicFile.beside(file)) {
            try (FileSystem zip = FileSystems.newFileSystem(tmp.path(), java.util.Map.of("create", "true"))) {
                writeHead(head, runId, zip);
            }
            tmp.commit();
        }
    }

    /** @param runId the run a head file belongs to, or null (a checkpoint's head: the checkpoint names its run) */
    private static void writeHead(ClassHead head, String runId, FileSystem zip) throws IOException {
        JsonObject meta = new JsonObject().put("kind", head.kind().name()).put("updates", head.updates())
                .put("identities", new JsonArray(new ArrayList<>(head.identities().identities())));
        if (runId != null) {
            meta.put("run", runId);
        }
        Files.writeString(zip.getPath(HEAD_ENTRY), meta.encode());
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(
                Files.newOutputStream(zip.getPath(HEAD_ARRAYS_ENTRY))))) {
            for (INDArray a : head.state()) {
                // a live-rows view: write a compact copy, freed at once (a replica writes its shard often)
                try (INDArray compact = a.dup('c')) {
                    Nd4j.write(compact, out);
                }
            }
        }
    }

    /**
     * Reads a file written by {@link #writeHeadFile}: the head of loss {@code kind} of run {@code runId}.
     *
     * @throws ModelFileException when it is not such a file (torn, damaged, foreign), holds the head of another
     *                            loss, or of another run
     */
    static HeadState readHeadFile(Path file, LossKind kind, String runId) throws IOException {
        try (ZipFile zip = new ZipFile(file.toFile())) {
            JsonObject meta = jsonEntry(zip, file, HEAD_ENTRY);
            if (meta == null) {
                throw new ModelFileException(file, "not a class-head file: entry " + HEAD_ENTRY + " missing");
            }
            String written = String.valueOf(meta.getValue("kind"));
            if (!kind.name().equals(written)) {
                throw new ModelFileException(file, "holds a " + written + " head, the model trains " + kind);
            }
            String run = String.valueOf(meta.getValue("run"));
            if (!runId.equals(run)) {
                throw new ModelFileException(file, "holds the head of run " + run + ", this is run " + runId);
            }
            return readHead(zip, file, meta);
        } catch (java.util.zip.ZipException | java.io.EOFException e) {
            throw new ModelFileException(file, "damaged class-head file: " + e, e);
        } catch (RuntimeException e) {
            // ND4J's reader fails unchecked on a damaged array
            throw new ModelFileException(file, "damaged class-head file: " + e, e);
        }
    }

    static Loaded readCheckpoint(Path file) throws IOException {
        ModelConfig config;
        HeadState head;
        try (ZipFile zip = new ZipFile(file.toFile())) {
            JsonObject meta = jsonEntry(zip, file, CONFIG_ENTRY);
            if (meta == null) {
                throw new ModelFileException(file, "not a FaceStream checkpoint: entry " + CONFIG_ENTRY + " missing");
            }
            config = readConfig(file, meta);
            JsonObject headMeta = jsonEntry(zip, file, HEAD_ENTRY);
            head = headMeta == null ? null : readHead(zip, file, headMeta);
        }
        return new Loaded(ModelSerializer.restoreComputationGraph(file.toFile(), true), config, head);
    }

    /** The JSON object of entry {@code name} of a checkpoint's zip, or null when there is no such entry. */
    private static JsonObject jsonEntry(ZipFile zip, Path file, String name) throws IOException {
        ZipEntry entry = zip.getEntry(name);
        if (entry == null) {
            return null;
        }
        try (InputStream in = zip.getInputStream(entry)) {
            return parse(file, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    /** The head whose {@value #HEAD_ENTRY} is {@code meta}: its identities, step count and arrays. */
    private static HeadState readHead(ZipFile zip, Path file, JsonObject meta) throws IOException {
        if (!(meta.getValue("identities") instanceof JsonArray ids) || !(meta.getValue("updates") instanceof Number)) {
            throw new ModelFileException(file, HEAD_ENTRY + " needs \"identities\" (an array) and \"updates\"");
        }
        List<String> identities = new ArrayList<>();
        for (Object id : ids) {
            if (!(id instanceof String s)) {
                throw new ModelFileException(file, HEAD_ENTRY + " lists a non-string identity: " + id);
            }
            identities.add(s);
        }
        ZipEntry arraysEntry = zip.getEntry(HEAD_ARRAYS_ENTRY);
        if (arraysEntry == null) {
            throw new ModelFileException(file, "checkpoint has " + HEAD_ENTRY + " but no " + HEAD_ARRAYS_ENTRY);
        }
        List<INDArray> arrays = new ArrayList<>();
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(zip.getInputStream(arraysEntry)))) {
            while (true) {
                in.mark(1);
                if (in.read() < 0) {
                    break;
                }
                in.reset();
                arrays.add(Nd4j.read(in));
            }
        }
        return new HeadState(identities, meta.getLong("updates"), arrays);
    }

    static void writeInference(ComputationGraph inference, ModelConfig config, long step, Path dir,
                               JsonObject extras) throws IOException {
        Object threshold = extras.getValue("threshold");
        if (!(threshold instanceof Number)) {
            throw new IllegalArgumentException("sidecarExtras.threshold must be a number (the verification "
                    + "threshold on the squared-l2 distance), got " + threshold);
        }
        for (String key : extras.fieldNames()) {
            if (OWN_KEYS.contains(key)) {
                throw new IllegalArgumentException("sidecarExtras." + key + " is written by the exporter; "
                        + "remove it from the extras");
            }
        }
        JsonObject sidecar = extras.copy()
                .put("format", FORMAT)
                .put("modelFile", INFERENCE_MODEL)
                .put("architecture", config.architecture().name())
                .put("inputSize", config.inputSize())
                .put("channels", config.channels())
                .put("layout", "NCHW")
                .put("normalisation", Normalisation.toJson())
                .put("embeddingSize", config.embeddingSize())
                .put("distance", "squared-l2")
                .put("step", step)
                .put("config", config.toJson());
        Files.createDirectories(dir);
        Path model = dir.resolve(INFERENCE_MODEL);
        try (AtomicFile tmp = AtomicFile.beside(model)) {
            ModelSerializer.writeModel(inference, tmp.path().toFile(), false);
            tmp.commit();
        }
        Files.writeString(dir.resolve(SIDECAR), sidecar.encodePrettily());
    }

    static Loaded readInference(Path dir) throws IOException {
        Path sidecarFile = dir.resolve(SIDECAR);
        if (!Files.isRegularFile(sidecarFile)) {
            throw new ModelFileException(dir, "not an exported model: " + SIDECAR + " missing");
        }
        JsonObject sidecar = parse(sidecarFile, Files.readString(sidecarFile));
        ModelConfig config = readConfig(sidecarFile, sidecar);
        Path model = dir.resolve(INFERENCE_MODEL);
        if (!Files.isRegularFile(model)) {
            throw new ModelFileException(dir, "not an exported model: " + INFERENCE_MODEL + " missing");
        }
        return new Loaded(ModelSerializer.restoreComputationGraph(model.toFile(), false), config);
    }

    private static JsonObject parse(Path file, String text) throws ModelFileException {
        try {
            return new JsonObject(text);
        } catch (DecodeException e) {
            throw new ModelFileException(file, "model metadata is not a JSON object: " + e.getMessage(), e);
        }
    }

    private static ModelConfig readConfig(Path file, JsonObject meta) throws ModelFileException {
        if (!FORMAT.equals(meta.getValue("format"))) {
            throw new ModelFileException(file, "unsupported model format " + meta.getValue("format")
                    + ", expected " + FORMAT);
        }
        if (!(meta.getValue("config") instanceof JsonObject config)) {
            throw new ModelFileException(file, "model metadata has no \"config\" object");
        }
        try {
            return ModelConfig.fromJson(asRecorded(config));
        } catch (ModelConfigException e) {
            throw new ModelFileException(file, "invalid stored model config: " + e.getMessage(), e);
        }
    }

    /**
     * The stored config with its loss and activation: a model saved before the loss was recorded trained the triplet
     * loss (then the only one), one saved before the activation was recorded ReLU blocks, whatever the defaults of a
     * new run are now, and must resume as it trained.
     */
    static JsonObject asRecorded(JsonObject config) {
        JsonObject out = config.containsKey("loss") ? config : config.copy().put("loss", LossKind.TRIPLET.name());
        return out.containsKey("activation") ? out : out.copy().put("activation", Nonlinearity.RELU.name());
    }
}
