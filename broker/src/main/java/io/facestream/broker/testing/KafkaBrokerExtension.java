package io.facestream.broker.testing;

import io.facestream.broker.EmbeddedKafka;
import io.facestream.protocol.kafka.FaceStreamTopics;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives tests a {@link TestKafka}: one {@link EmbeddedKafka} per test JVM, started on first use and closed when
 * the whole run ends, with fresh topics, group ids and clients per test (closed after the test).
 *
 * <p>The broker is shared: a test that stops or restarts a broker must start its own.
 */
public final class KafkaBrokerExtension implements ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(KafkaBrokerExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == TestKafka.class;
    }

    @Override
    public TestKafka resolveParameter(ParameterContext parameter, ExtensionContext context) {
        // Stored in the asking context, so clients made for one test are closed when that test ends.
        return context.getStore(NAMESPACE).getOrComputeIfAbsent(TestKafka.class,
                key -> new TestKafka(sharedBroker(context), scopeName(context)), TestKafka.class);
    }

    private static EmbeddedKafka sharedBroker(ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE)
                .getOrComputeIfAbsent(SharedBroker.class, key -> new SharedBroker(EmbeddedKafka.start()), SharedBroker.class)
                .kafka();
    }

    private static String scopeName(ExtensionContext context) {
        return context.getTestMethod().map(m -> m.getName())
                .orElseGet(() -> context.getTestClass().map(Class::getSimpleName).orElse("test"));
    }

    /** Closes the JVM's broker when JUnit closes the root context at the end of the run. */
    private record SharedBroker(EmbeddedKafka kafka) implements ExtensionContext.Store.CloseableResource {
        @Override
        public void close() {
            kafka.close();
        }
    }
}
