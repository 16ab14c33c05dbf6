package io.facestream.sampler.ingest;

import io.facestream.sampler.SamplerNode;

import io.facestream.sampler.SamplerVerticle;
import io.facestream.sampler.ingest.IdentityPartitions;
import io.facestream.sampler.policy.PairSampler;
import io.facestream.broker.testing.KafkaTest;
import io.facestream.broker.testing.TestKafka;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static io.facestream.sampler.ingest.IngestFixtures.CATALOG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@KafkaTest
@ExtendWith(VertxExtension.class)
class IngestOwnershipKafkaTest {
    private static final IdentityPartitions FOUR = new IdentityPartitions(4);
    /** Members learn of a rebalance at their next heartbeat: a short interval keeps the test short. */
    private static final Map<String, Object> FAST_HEARTBEAT = Map.of("heartbeat.interval.ms", 300);

    private static Set<String> rotation(SamplerNode replica) {
        PairSampler sampler = replica.sampler().sampler();
        Set<String> out = new HashSet<>();
        CATALOG.identities().stream().filter(sampler::contains).forEach(out::add);
        return out;
    }

    private static Set<String> ofPartitions(JsonArray partitions) {
        Set<String> out = new HashSet<>();
        CATALOG.identities().stream().filter(id -> partitions.contains(FOUR.of(id))).forEach(out::add);
        return out;
    }

    @Test
    @DisplayName("two sampler replicas split the catalog by partition of the identities topic; when one leaves, the "
            + "other takes its identities over")
    void replicasShareTheCatalog(TestKafka kafka, Vertx vertx, @TempDir Path store) throws Exception {
        String topic = kafka.topic("identities", 4);
        String group = kafka.groupId();
        String pairs = kafka.topic("pairs", 2);
        SamplerNode a = SamplerNode.open(IngestFixtures.ingestConfig(topic, group, kafka.topic("dlq"), store),
                IngestFixtures.samplerConfig(kafka, pairs, "replica-a"), CATALOG, null, FAST_HEARTBEAT, f -> { });
        SamplerNode b = SamplerNode.open(IngestFixtures.ingestConfig(topic, group, kafka.topic("dlq"), store),
                IngestFixtures.samplerConfig(kafka, pairs, "replica-b"), CATALOG, null, FAST_HEARTBEAT, f -> { });
        a.deploy(vertx).await(30, TimeUnit.SECONDS);
        IngestFixtures.snapshot(vertx, "replica-a", s -> s.getJsonArray("ownedPartitions").size() == 4)
                .await(30, TimeUnit.SECONDS);
        assertEquals(new HashSet<>(CATALOG.identities()), rotation(a), "alone, a replica owns everything");

        Vertx other = Vertx.vertx();
        try {
            b.deploy(other).await(30, TimeUnit.SECONDS);
            JsonObject ofB = IngestFixtures.snapshot(other, "replica-b",
                    s -> !s.getJsonArray("ownedPartitions").isEmpty()).await(60, TimeUnit.SECONDS);
            JsonObject ofA = IngestFixtures.snapshot(vertx, "replica-a",
                    s -> s.getJsonArray("ownedPartitions").size() == 4 - ofB.getJsonArray("ownedPartitions").size())
                    .await(60, TimeUnit.SECONDS);
            Set<String> ownedByA = rotation(a);
            Set<String> ownedByB = rotation(b);
            assertEquals(ofPartitions(ofA.getJsonArray("ownedPartitions")), ownedByA);
            assertEquals(ofPartitions(ofB.getJsonArray("ownedPartitions")), ownedByB);
            Set<String> both = new HashSet<>(ownedByA);
            both.retainAll(ownedByB);
            assertEquals(Set.of(), both, "no identity in two rotations");
            Set<String> union = new HashSet<>(ownedByA);
            union.addAll(ownedByB);
            assertEquals(new HashSet<>(CATALOG.identities()), union, "every identity in one rotation");
            assertTrue(!ownedByA.isEmpty() && !ownedByB.isEmpty(), "both replicas have work: " + ownedByA + " " + ownedByB);
        } finally {
            other.close().await(60, TimeUnit.SECONDS);
        }
        IngestFixtures.snapshot(vertx, "replica-a", s -> s.getJsonArray("ownedPartitions").size() == 4)
                .await(60, TimeUnit.SECONDS);
        assertEquals(new HashSet<>(CATALOG.identities()), rotation(a), "the remaining replica took everything back");
        assertEquals(0, rotation(b).size(), "the replica that left gave its identities up");
        for (String deployment : vertx.deploymentIDs()) {
            vertx.undeploy(deployment).await(30, TimeUnit.SECONDS);
        }
        a.close();
        b.close();
    }
}
