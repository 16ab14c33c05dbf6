package io.facestream.server.config;

import io.facestream.protocol.config.ConfigException;
import io.facestream.trainer.TrainerConfig;
import io.facestream.trainer.loss.LossKind;
import io.facestream.trainer.model.Nonlinearity;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigRegistryTest {
    private final ConfigRegistry registry = ConfigRegistry.standard();

    private static ConfigLoader load(Path file, Map<String, String> env, Map<String, String> flags) {
        return ConfigLoader.load(file, env, flags);
    }

    private ConfigException invalid(Path file, Map<String, String> env, Map<String, String> flags) {
        ConfigLoader loader = load(file, env, flags);
        return assertThrows(ConfigException.class, () -> registry.validate(loader));
    }

    @Test
    @DisplayName("the defaults are the modules' own: trainer loop and model, sampler, and the Kafka cluster")
    void defaults() {
        Map<String, String> d = registry.defaults();
        assertEquals("48", d.get("trainer.batchPairs"));
        assertEquals("200", d.get("trainer.evalEvery"));
        assertEquals("1", d.get("trainer.dataSeed"));
        assertEquals("42", d.get("trainer.seed"));
        assertEquals("SMALL", d.get("trainer.architecture"));
        assertEquals("64", d.get("trainer.inputSize"));
        assertEquals("", d.get("trainer.exportDir"));
        assertEquals("100", d.get("sampler.bufferSize"));
        assertEquals("1s", d.get("sampler.lagCheckInterval"));
        assertEquals("UNIFORM", d.get("sampler.policy"));
        assertEquals("localhost:9092", d.get("kafka.bootstrap.servers"));
        assertEquals("127.0.0.1", d.get("server.host"));
        assertEquals("5000", d.get("server.ws.history"));
        assertEquals("30s", d.get("server.ws.stuckTimeout"));
        assertEquals("", d.get("server.ws.allowedOrigins"));
        assertEquals("128", d.get("server.api.maxPendingInferences"));
        assertEquals("SOFTMAX", d.get("trainer.loss"));
    }

    @Test
    @DisplayName("the model a role builds from no settings trains the default loss, and a set loss wins")
    void modelLossFromSettings() {
        assertEquals(LossKind.SOFTMAX,
                ConfigRegistry.model(io.facestream.protocol.config.Settings.of(Map.of())).losses().loss());
        assertEquals(LossKind.ARCFACE, ConfigRegistry.model(io.facestream.protocol.config.Settings.of(
                Map.of("trainer.loss", "arcface"))).losses().loss());
    }

    @Test
    @DisplayName("an unset trainer.activation follows the architecture (PRELU for MOBILEFACENET, RELU for SMALL); a set one wins")
    void activationFollowsTheArchitecture() {
        assertEquals("", ConfigRegistry.standard().defaults().get("trainer.activation"));
        assertEquals(Nonlinearity.RELU,
                ConfigRegistry.model(io.facestream.protocol.config.Settings.of(Map.of())).activation());
        assertEquals(Nonlinearity.PRELU, ConfigRegistry.model(io.facestream.protocol.config.Settings.of(
                Map.of("trainer.architecture", "mobilefacenet"))).activation());
        assertEquals(Nonlinearity.RELU, ConfigRegistry.model(io.facestream.protocol.config.Settings.of(
                Map.of("trainer.architecture", "mobilefacenet", "trainer.activation", "relu"))).activation());
    }

    @Test
    @DisplayName("every component of TrainerConfig has a known key, so a new setting cannot be rejected as unknown")
    void trainerComponentsAreKnown() {
        Map<String, String> d = registry.defaults();
        for (RecordComponent c : TrainerConfig.class.getRecordComponents()) {
            String key = "trainer." + (c.getName().equals("seed") ? "dataSeed" : c.getName());
            assertTrue(d.containsKey(key), key + " missing from " + d.keySet());
        }
    }

    @Test
    @DisplayName("each value shows the highest layer that set it: command line over environment over file over default")
    void sources(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("fs.yaml"), """
                trainer:
                  batchPairs: 32
                  evalEvery: 50
                sampler:
                  bufferSize: 20
                """);
        ConfigLoader loader = load(file,
                Map.of("FACESTREAM_TRAINER_EVALEVERY", "60", "FACESTREAM_SAMPLER_BUFFERSIZE", "30", "PATH", "/bin"),
                Map.of("sampler.bufferSize", "40"));
        registry.validate(loader);
        Map<String, ConfigRegistry.Effective> e = registry.effective(loader);
        assertEquals(new ConfigRegistry.Effective("32", "file " + file), e.get("trainer.batchPairs"));
        assertEquals(new ConfigRegistry.Effective("60", "environment FACESTREAM_TRAINER_EVALEVERY"), e.get("trainer.evalEvery"));
        assertEquals(new ConfigRegistry.Effective("40", "command line"), e.get("sampler.bufferSize"));
        assertEquals(new ConfigRegistry.Effective("0.2", "default"), e.get("trainer.margin"));
        assertTrue(e.keySet().stream().noneMatch(k -> k.equalsIgnoreCase("path")), e.keySet().toString());
    }

    @Test
    @DisplayName("over random layerings the effective value and source are always those of the highest layer that set the key")
    void randomLayers() {
        Random random = new Random(11);
        List<String> keys = List.of("trainer.batchPairs", "trainer.evalEvery", "sampler.bufferSize", "sampler.maxInFlight");
        for (int round = 0; round < 200; round++) {
            Map<String, String> env = new HashMap<>();
            Map<String, String> flags = new HashMap<>();
            Map<String, ConfigRegistry.Effective> expected = new HashMap<>();
            for (String key : keys) {
                String value = Integer.toString(2 + random.nextInt(100));
                expected.put(key, new ConfigRegistry.Effective(registry.defaults().get(key), "default"));
                if (random.nextBoolean()) {
                    String variable = "FACESTREAM_" + key.toUpperCase().replace('.', '_');
                    env.put(variable, value);
                    expected.put(key, new ConfigRegistry.Effective(value, "environment " + variable));
                }
                if (random.nextBoolean()) {
                    String flag = Integer.toString(2 + random.nextInt(100));
                    flags.put(random.nextBoolean() ? key : key.toLowerCase(), flag);
                    expected.put(key, new ConfigRegistry.Effective(flag, "command line"));
                }
            }
            ConfigLoader loader = load(null, env, flags);
            registry.validate(loader);
            Map<String, ConfigRegistry.Effective> effective = registry.effective(loader);
            for (String key : keys) {
                assertEquals(expected.get(key), effective.get(key), key + " in round " + round);
            }
        }
    }

    @Test
    @DisplayName("a bad environment value fails naming the key, the value, what is allowed and the variable")
    void badEnvironmentValue() {
        ConfigException e = invalid(null, Map.of("FACESTREAM_TRAINER_BATCHPAIRS", "lots"), Map.of());
        assertEquals("trainer.batchPairs must be an integer in [2, 4096], got \"lots\" "
                + "(set by environment FACESTREAM_TRAINER_BATCHPAIRS)", e.getMessage());
    }

    @Test
    @DisplayName("a bad YAML file fails naming the file and what the parser found")
    void badYaml(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("bad.yaml"), "trainer:\n  batchPairs: [1, 2\n");
        ConfigException e = assertThrows(ConfigException.class, () -> load(file, Map.of(), Map.of()));
        assertTrue(e.getMessage().startsWith("config file " + file + " is not valid YAML"), e.getMessage());
        Path list = Files.writeString(dir.resolve("list.yaml"), "trainer:\n  batchPairs: [1, 2]\n");
        e = assertThrows(ConfigException.class, () -> load(list, Map.of(), Map.of()));
        assertEquals("config file " + list + ": trainer.batchPairs must be a single value, got a list", e.getMessage());
    }

    @Test
    @DisplayName("an unknown key under a known section fails naming it, the known keys and its source")
    void unknownKey(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("typo.yaml"), "trainer:\n  batchPair: 32\n");
        ConfigException e = invalid(file, Map.of(), Map.of());
        assertTrue(e.getMessage().startsWith("trainer.batchpair is not a known setting (known under trainer.: "),
                e.getMessage());
        assertTrue(e.getMessage().contains("batchPairs"), e.getMessage());
        assertTrue(e.getMessage().endsWith("(set by file " + file + ")"), e.getMessage());
        e = invalid(null, Map.of("FACESTREAM_SAMPLER_BUFERSIZE", "10"), Map.of());
        assertTrue(e.getMessage().startsWith("sampler.bufersize is not a known setting"), e.getMessage());
        assertTrue(e.getMessage().endsWith("(set by environment FACESTREAM_SAMPLER_BUFERSIZE)"), e.getMessage());
    }

    @Test
    @DisplayName("Kafka client settings and sampler.kafka.* pass unchecked; a key outside every section is refused")
    void openSections() {
        ConfigLoader loader = load(null, Map.of("FACESTREAM_KAFKA_SECURITY_PROTOCOL", "SSL",
                "FACESTREAM_INGEST_STOREDIR", "/store"), Map.of("sampler.kafka.linger.ms", "20"));
        registry.validate(loader);
        Map<String, ConfigRegistry.Effective> e = registry.effective(loader);
        assertEquals(new ConfigRegistry.Effective("SSL", "environment FACESTREAM_KAFKA_SECURITY_PROTOCOL"),
                e.get("kafka.security.protocol"));
        assertEquals(new ConfigRegistry.Effective("/store", "environment FACESTREAM_INGEST_STOREDIR"),
                e.get("ingest.storeDir"));
        assertEquals(new ConfigRegistry.Effective("20", "command line"), e.get("sampler.kafka.linger.ms"));
        assertFalse(e.keySet().stream().anyMatch(k -> k.endsWith("*")), e.keySet().toString());
        ConfigException typo = invalid(null, Map.of("FACESTREAM_TRAINNER_BATCHPAIRS", "32"), Map.of());
        assertEquals("trainner.batchpairs is not a known setting (keys start with ingest., kafka., sampler., server., "
                + "trainer.) (set by environment FACESTREAM_TRAINNER_BATCHPAIRS)", typo.getMessage());
    }

    @Test
    @DisplayName("FACESTREAM_API_TOKEN sets server.apiToken unless FACESTREAM_SERVER_APITOKEN does; the value is hidden")
    void apiTokenShorthand() {
        ConfigLoader shorthand = load(null, Map.of("FACESTREAM_API_TOKEN", "s3cret"), Map.of());
        registry.validate(shorthand);
        assertEquals("s3cret", shorthand.settings().string("server.apiToken", ""));
        assertEquals(new ConfigRegistry.Effective("(hidden)", "environment FACESTREAM_API_TOKEN"),
                registry.effective(shorthand).get("server.apiToken"));
        ConfigLoader both = load(null, Map.of("FACESTREAM_API_TOKEN", "a", "FACESTREAM_SERVER_APITOKEN", "b"), Map.of());
        assertEquals("b", both.settings().string("server.apiToken", ""));
        assertEquals("environment FACESTREAM_SERVER_APITOKEN", both.sourceOf("server.apiToken"));
    }

    @Test
    @DisplayName("ingest and dataset keys are known with their defaults, and a bad one fails naming it")
    void ingestAndDatasetKeys() {
        Map<String, String> d = registry.defaults();
        assertEquals("facestream.identities", d.get("ingest.topic"));
        assertEquals("30s", d.get("ingest.http.timeout"));
        assertEquals("", d.get("ingest.storeDir"));
        assertEquals("SKIP", d.get("sampler.badRecords"));
        assertEquals("img", d.get("sampler.tfrecord.imageFeature"));
        ConfigException e = invalid(null, Map.of("FACESTREAM_INGEST_MAXPOLLRECORDS", "0"), Map.of());
        assertEquals("ingest.maxPollRecords must be in [1, 10000], got 0 (set by environment "
                + "FACESTREAM_INGEST_MAXPOLLRECORDS)", e.getMessage());
        e = invalid(null, Map.of(), Map.of("sampler.tfrecord.imageFeature", " "));
        assertTrue(e.getMessage().startsWith("sampler.tfrecord.imageFeature must not be blank"), e.getMessage());
    }

    @Test
    @DisplayName("bad sampler and model values fail at validation naming key, value, what is allowed and source")
    void badSectionValues() {
        ConfigException e = invalid(null, Map.of(), Map.of("sampler.policy", "RANDOM"));
        assertEquals("sampler.policy must be one of uniform, weighted, got \"RANDOM\" (set by command line)", e.getMessage());
        e = invalid(null, Map.of("FACESTREAM_TRAINER_INPUTSIZE", "50"), Map.of());
        assertEquals("trainer.inputSize must be a multiple of 16 in [32, 256], got 50 "
                + "(set by environment FACESTREAM_TRAINER_INPUTSIZE)", e.getMessage());
        e = invalid(null, Map.of("FACESTREAM_SERVER_WS_QUEUE", "0"), Map.of());
        assertEquals("server.ws.queue must be in [1, 1000000], got 0 (set by environment FACESTREAM_SERVER_WS_QUEUE)",
                e.getMessage());
        e = invalid(null, Map.of(), Map.of("server.ws.histroy", "10"));
        assertTrue(e.getMessage().startsWith("server.ws.histroy is not a known setting"), e.getMessage());
        e = invalid(null, Map.of(), Map.of("sampler.lagCheckInterval", "soon"));
        assertTrue(e.getMessage().startsWith("sampler.lagCheckInterval must be a duration"), e.getMessage());
        assertTrue(e.getMessage().contains("\"soon\""), e.getMessage());
    }

    @Test
    @DisplayName("keys the roles default to another key's value show that value and the key it follows")
    void derivedDefaults() {
        ConfigLoader loader = load(null, Map.of("FACESTREAM_KAFKA_BOOTSTRAP_SERVERS", "kafka:9092",
                "FACESTREAM_TRAINER_EXPORTDIR", "/exports"), Map.of("sampler.trainerGroup", "other"));
        Map<String, ConfigRegistry.Effective> e = registry.effective(loader);
        assertEquals(new ConfigRegistry.Effective("kafka:9092", "default: kafka.bootstrap.servers"),
                e.get("sampler.bootstrapServers"));
        assertEquals(new ConfigRegistry.Effective("/exports", "default: trainer.exportDir"), e.get("server.modelDir"));
        assertEquals(new ConfigRegistry.Effective("other", "command line"), e.get("sampler.trainerGroup"));
        assertEquals(new ConfigRegistry.Effective("sampler-<host>-<pid>", "default"), e.get("sampler.producerId"));
    }

    @Test
    @DisplayName("values of secret-looking keys are hidden from the printout, their source is not")
    void secretsHidden() {
        ConfigLoader loader = load(null, Map.of("FACESTREAM_KAFKA_SASL_JAAS_CONFIG", "user=\"a\" password=\"b\""),
                Map.of("kafka.ssl.truststore.password", "pw"));
        Map<String, ConfigRegistry.Effective> e = registry.effective(loader);
        assertEquals(new ConfigRegistry.Effective("(hidden)", "environment FACESTREAM_KAFKA_SASL_JAAS_CONFIG"),
                e.get("kafka.sasl.jaas.config"));
        assertEquals("(hidden)", e.get("kafka.ssl.truststore.password").value());
    }
}
