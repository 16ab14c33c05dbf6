package io.facestream.protocol.kafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Creates topics idempotently on any cluster and waits until every partition has a leader, so a producer
 * that starts right after sees the topic.
 */
public final class KafkaTopics {
    /** How long {@link #ensure} waits for creation and for leaders before giving up. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    private static final Logger LOG = LoggerFactory.getLogger(KafkaTopics.class);
    private static final long POLL_MILLIS = 25;

    private KafkaTopics() {
    }

    /**
     * Creates each topic that does not exist yet. An existing topic is left as it is (partition count and
     * configs included); a different partition count is logged, never changed, because changing it would move
     * keys to other partitions.
     *
     * @return the description of every requested topic once all its partitions have a leader
     * @throws TopicSetupException naming the topic that could not be created or did not become usable
     */
    public static Map<String, TopicDescription> ensure(Admin admin, Collection<NewTopic> topics, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, KafkaFuture<Void>> created = admin.createTopics(topics).values();
        for (NewTopic topic : topics) {
            try {
                created.get(topic.name()).get(remainingMillis(deadline, topic.name()), TimeUnit.MILLISECONDS);
                LOG.info("Created topic={} partitions={} configs={}", topic.name(), topic.numPartitions(), topic.configs());
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new TopicSetupException("cannot create topic " + topic.name() + ": " + e.getCause().getMessage(), e.getCause());
                }
                LOG.debug("Topic {} already exists", topic.name());
            } catch (TimeoutException e) {
                throw new TopicSetupException("creating topic " + topic.name() + " did not finish within " + timeout, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TopicSetupException("interrupted while creating topic " + topic.name(), e);
            }
        }
        Map<String, TopicDescription> usable = awaitLeaders(admin, topics.stream().map(NewTopic::name).toList(), deadline, timeout);
        awaitServing(admin, usable, deadline, timeout);
        for (NewTopic topic : topics) {
            int actual = usable.get(topic.name()).partitions().size();
            if (topic.numPartitions() > 0 && actual != topic.numPartitions()) {
                LOG.warn("Topic {} exists with {} partitions, not the {} asked for; left unchanged", topic.name(), actual, topic.numPartitions());
            }
        }
        return usable;
    }

    private static Map<String, TopicDescription> awaitLeaders(Admin admin, List<String> names, long deadline, Duration timeout) {
        Map<String, TopicDescription> ready = new LinkedHashMap<>();
        while (true) {
            for (String name : names) {
                if (!ready.containsKey(name)) {
                    TopicDescription description = describe(admin, name, deadline);
                    if (description != null && description.partitions().stream().allMatch(KafkaTopics::hasLeader)) {
                        ready.put(name, description);
                    }
                }
            }
            if (ready.size() == names.size()) {
                return ready;
            }
            if (System.nanoTime() > deadline) {
                List<String> waiting = names.stream().filter(n -> !ready.containsKey(n)).toList();
                throw new TopicSetupException("topics " + waiting + " have no leader for every partition after " + timeout);
            }
            pause();
        }
    }

    /**
     * Waits until the leader of every partition answers a ListOffsets request. The metadata that
     * {@link #awaitLeaders} reads can name a leader before that broker has taken the partition over; a producer
     * writing then gets NOT_LEADER_OR_FOLLOWER, and an idempotent producer retrying several in-flight batches
     * after it has been seen to fail with OUT_OF_ORDER_SEQUENCE_NUMBER on a busy machine.
     */
    private static void awaitServing(Admin admin, Map<String, TopicDescription> topics, long deadline,
                                     Duration timeout) {
        Map<TopicPartition, OffsetSpec> partitions = new LinkedHashMap<>();
        topics.values().forEach(t -> t.partitions().forEach(
                p -> partitions.put(new TopicPartition(t.name(), p.partition()), OffsetSpec.latest())));
        if (partitions.isEmpty()) {
            return;
        }
        String name = partitions.keySet().iterator().next().topic();
        while (true) {
            try {
                admin.listOffsets(partitions).all().get(remainingMillis(deadline, name), TimeUnit.MILLISECONDS);
                return;
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof RetriableException)) {
                    throw new TopicSetupException("cannot read the offsets of topics " + topics.keySet() + ": "
                            + e.getCause().getMessage(), e.getCause());
                }
                LOG.debug("Leaders of {} not serving yet: {}", topics.keySet(), e.getCause().toString());
            } catch (TimeoutException e) {
                throw new TopicSetupException("the leaders of topics " + topics.keySet()
                        + " did not serve within " + timeout, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TopicSetupException("interrupted while waiting for the leaders of " + topics.keySet(), e);
            }
            pause();
        }
    }

    /** @return the description, or null while the broker's metadata does not show the topic yet */
    private static TopicDescription describe(Admin admin, String name, long deadline) {
        try {
            return admin.describeTopics(List.of(name)).topicNameValues().get(name)
                    .get(remainingMillis(deadline, name), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return null;
            }
            throw new TopicSetupException("cannot describe topic " + name + ": " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new TopicSetupException("describing topic " + name + " timed out", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TopicSetupException("interrupted while waiting for topic " + name, e);
        }
    }

    private static boolean hasLeader(TopicPartitionInfo partition) {
        return partition.leader() != null && !partition.leader().isEmpty();
    }

    private static long remainingMillis(long deadline, String topic) {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
            throw new TopicSetupException("ran out of time while creating topic " + topic);
        }
        return left;
    }

    // Admin offers no notification when a broker's metadata catches up, so readiness is polled.
    private static void pause() {
        try {
            Thread.sleep(POLL_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TopicSetupException("interrupted while waiting for topic leaders", e);
        }
    }
}
