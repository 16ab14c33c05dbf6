package io.facestream.server.config;

import io.facestream.protocol.config.ConfigException;
import io.facestream.protocol.config.Settings;
import io.facestream.sampler.SamplerConfig;
import io.facestream.dataset.formats.DatasetOptions;
import io.facestream.sampler.ingest.IngestConfig;
import io.facestream.server.config.IngestHttpConfig;
import io.facestream.trainer.TrainerConfig;
import io.facestream.trainer.mesh.MeshConfig;
import io.facestream.trainer.model.ModelConfig;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * The configuration sections every role shares, each with its known keys and their defaults as the owning
 * module defines them ({@link TrainerConfig}, {@link ModelConfig}, {@link SamplerConfig}, {@link ServerConfig},
 * {@link DatasetOptions}, {@link IngestConfig}, {@link IngestHttpConfig}), so
 * {@code facestream config --print} can show every effective value and a start-up check can reject a typo under a
 * known section. {@code kafka.*} is open: its keys pass through to the Kafka clients. A key outside every section is
 * refused too (a typo in the section name). A module's new config record joins in {@link #standard()}; a new
 * component of a listed record is known without any change here.
 */
public final class ConfigRegistry {
    /** The cluster every role's Kafka clients connect to (a role's {@code --bootstrap} sets it). */
    public static final String BOOTSTRAP_KEY = "kafka.bootstrap.servers";
    public static final String DEFAULT_BOOTSTRAP = "localhost:9092";

    /** Keys whose default in the roles is the effective value of another key. */
    private static final Map<String, String> FOLLOWS = Map.of(
            "sampler.bootstrapServers", BOOTSTRAP_KEY,
            "sampler.trainerGroup", "trainer.groupId",
            "server.modelDir", "trainer.exportDir");

    /**
     * One section.
     *
     * @param prefix   e.g. {@code "trainer."}
     * @param defaults every known key (full, camel case) with its default as text; empty text = unset
     * @param open     whether keys other than the known ones are allowed (Kafka client properties)
     * @param check    builds the section's config, throwing on a bad value
     */
    public record Section(String prefix, Map<String, String> defaults, boolean open, Consumer<Settings> check) {
    }

    private final List<Section> sections;

    private ConfigRegistry(List<Section> sections) {
        this.sections = List.copyOf(sections);
    }

    /** trainer.* (training loop and model), sampler.*, server.*, ingest.* and the open kafka.* section. */
    public static ConfigRegistry standard() {
        Map<String, String> trainer = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        // TrainerConfig's seed component is read from trainer.dataSeed; trainer.seed is the model's weight seed.
        trainer.putAll(RecordKeys.defaults("trainer.", TrainerConfig.defaults(), Map.of("seed", "dataSeed")));
        trainer.putAll(RecordKeys.defaults("trainer.", ModelConfig.defaults().toJson()));
        // unset, the activation follows the architecture (Architecture.defaultActivation), as the input size does
        trainer.put("trainer.activation", "");
        trainer.putAll(RecordKeys.defaults("trainer.mesh.", MeshConfig.defaults(), Map.of()));
        Section trainerSection = new Section("trainer.", trainer, false, s -> {
            TrainerConfig.from(s);
            MeshConfig.from(s);
            model(s);
        });
        Map<String, String> sampler = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        sampler.putAll(RecordKeys.defaults("sampler.", SamplerConfig.defaultsJson()));
        sampler.putAll(RecordKeys.defaults("sampler.", DatasetOptions.defaults(),
                Map.of("imageFeature", "tfrecord.imageFeature", "labelFeature", "tfrecord.labelFeature")));
        Section samplerSection = new Section("sampler.", sampler, false, s -> {
            samplerSection(s);
            DatasetOptions.from(s);
        });
        Map<String, String> server = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        server.putAll(RecordKeys.defaults("server.", ServerConfig.defaults(), Map.of()));
        // server.apiToken (ServerConfig, also read by IngestHttpConfig): FACESTREAM_API_TOKEN is its shorthand
        Section serverSection = new Section("server.", server, false, ServerConfig::from);
        Map<String, String> ingest = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        ingest.putAll(RecordKeys.defaults("ingest.", IngestConfig.defaults(), Map.of()));
        IngestHttpConfig http = IngestHttpConfig.from(Settings.empty());
        ingest.put("ingest.http.maxBodyBytes", RecordKeys.text(http.maxBodyBytes()));
        ingest.put("ingest.http.maxConcurrent", RecordKeys.text(http.maxConcurrent()));
        ingest.put("ingest.http.timeout", RecordKeys.text(http.timeout()));
        Section ingestSection = new Section("ingest.", ingest, false, IngestHttpConfig::from);
        Section kafkaSection = new Section("kafka.", Map.of(BOOTSTRAP_KEY, DEFAULT_BOOTSTRAP), true, s -> { });
        return new ConfigRegistry(List.of(trainerSection, samplerSection, serverSection, ingestSection, kafkaSection));
    }

    /** The model settings under {@code trainer.}. */
    public static ModelConfig model(Settings settings) {
        return ModelConfig.fromJson(ConfigSections.section(settings, ModelConfig.PREFIX, ModelConfig.defaults().toJson()));
    }

    private static void samplerSection(Settings settings) {
        SamplerConfig.from(settings);
    }

    /** Every known key with its default, in key order. */
    public Map<String, String> defaults() {
        Map<String, String> all = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        sections.forEach(s -> all.putAll(s.defaults()));
        return all;
    }

    /**
     * Fails on the first key outside every section, unknown key under a closed section or bad value in any
     * section, naming the key, the value, what is allowed and where the value came from.
     */
    public void validate(ConfigLoader loader) {
        Settings settings = loader.settings();
        try {
            for (String key : loader.values().keySet()) {
                if (sections.stream().noneMatch(section -> key.startsWith(section.prefix()))) {
                    throw new ConfigException(key + " is not a known setting (keys start with "
                            + String.join(", ", sections.stream().map(Section::prefix).sorted().toList()) + ")");
                }
            }
            for (Section section : sections) {
                if (!section.open()) {
                    ConfigSections.requireKnown(settings, section.prefix(), known(section));
                }
                section.check().accept(settings);
            }
        } catch (IllegalArgumentException e) {
            throw loader.explain(e);
        }
    }

    /**
     * Every key the loader sets or a section knows, with its effective value and source, in key order; values of
     * keys that look secret are masked.
     */
    public Map<String, Effective> effective(ConfigLoader loader) {
        Map<String, Effective> out = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        defaults().forEach((key, def) -> {
            if (!RecordKeys.isWildcard(key)) {
                out.put(key, new Effective(def, "default"));
            }
        });
        // A case-insensitive map keeps the known key's spelling (trainer.batchPairs) when the loader's lower-case key
        // replaces its value.
        loader.values().forEach((key, value) ->
                out.put(key, new Effective(secret(key) ? "(hidden)" : value, loader.sourceOf(key))));
        // the roles default these to another key's value (or to a per-process id), not to the module's default
        FOLLOWS.forEach((key, other) -> {
            if (!loader.values().containsKey(key.toLowerCase(Locale.ROOT))) {
                out.put(key, new Effective(out.get(other).value(), "default: " + other));
            }
        });
        // trainer.threshold's default is the chosen distance's own (squared L2 1.0, L2 1.0, cosine 0.5)
        if (loader.values().containsKey("trainer.distance") && !loader.values().containsKey("trainer.threshold")) {
            TrainerConfig trainer = TrainerConfig.from(loader.settings());
            out.put("trainer.threshold", new Effective(RecordKeys.text(trainer.threshold()),
                    "default for trainer.distance=" + trainer.distance()));
        }
        if (!loader.values().containsKey("sampler.producerid")) {
            out.put("sampler.producerId", new Effective("sampler-<host>-<pid>", "default"));
        }
        return out;
    }


    /** One effective value and where it came from ({@code default}, {@code file ...}, ...). */
    public record Effective(String value, String source) {
    }

    private static boolean secret(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        return k.contains("password") || k.contains("secret") || k.contains("token") || k.contains("jaas");
    }

    /** The keys of a section without its prefix; {@code kafka.*} (sampler.kafka) admits every sub-key. */
    private static Set<String> known(Section section) {
        Set<String> names = new TreeSet<>();
        section.defaults().keySet().forEach(k -> names.add(RecordKeys.stripWildcard(k).substring(section.prefix().length())));
        return names;
    }
}
