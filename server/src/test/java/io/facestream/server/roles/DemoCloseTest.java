package io.facestream.server.roles;

import io.facestream.protocol.config.Settings;
import io.facestream.dataset.SyntheticConfig;
import io.facestream.dataset.SyntheticFaces;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.FileNotFoundException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag("slow")
class DemoCloseTest {

    @Test
    @DisplayName("a demo whose start fails before the trainer is deployed closes its metrics publisher on close")
    void closesMetricsPublisherWithoutTrainer() throws Exception {
        ClientProbe.CLIENTS.clear();
        Settings settings = Settings.of(Map.of("kafka.metric.reporters", ClientProbe.class.getName()));
        try (SyntheticFaces source = new SyntheticFaces(SyntheticConfig.of(3, 4, 2, 32, 0))) {
            DemoNode demo = new DemoNode(settings, source, decoder -> {
                throw new FileNotFoundException("no validation set in this test");
            }, 0, null);
            try {
                ExecutionException failed = assertThrows(ExecutionException.class,
                        () -> demo.start().toCompletionStage().toCompletableFuture().get(2, TimeUnit.MINUTES));
                assertInstanceOf(FileNotFoundException.class, failed.getCause());
            } finally {
                demo.close();
            }
        }
        List<ClientProbe.Client> metrics = ClientProbe.CLIENTS.stream().filter(c -> c.id.equals("facestream-metrics"))
                .toList();
        assertFalse(metrics.isEmpty(), "the demo built its metrics publisher: " + ClientProbe.CLIENTS);
        assertTrue(ClientProbe.CLIENTS.stream().allMatch(c -> c.closed), "every client closed: " + ClientProbe.CLIENTS);
    }
}
