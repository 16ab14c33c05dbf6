package io.facestream.broker.testing;

import io.facestream.broker.EmbeddedKafka;
import io.facestream.protocol.kafka.FaceStreamTopics;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a test class that talks to a real Kafka broker: it is tagged {@code slow} and gets
 * {@link KafkaBrokerExtension}, so its methods can take a {@link TestKafka} parameter.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Tag("slow")
@ExtendWith(KafkaBrokerExtension.class)
public @interface KafkaTest {
}
