package io.facestream.trainer.mesh;

import io.facestream.protocol.config.Settings;
import io.facestream.trainer.model.ModelConfig;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nd4j.parameterserver.distributed.v2.messages.VoidMessage;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MeshSettingsTest {
    private static final MeshConfig MESH = MeshConfig.from(Settings.of(Map.of("trainer.mesh.enabled", "true",
            "trainer.mesh.seeds", "127.0.0.1:40123", "trainer.mesh.replicas", "3")));

    private static ModelConfig model(JsonObject json) {
        return ModelConfig.fromJson(json);
    }

    @Test
    @DisplayName("the shared settings are every model key but the weight seed, the batch size and the mesh's step rule")
    void keys() {
        MeshSettings s = MeshSettings.of(ModelConfig.defaults(), 16, MESH);
        for (String key : ModelConfig.defaults().toJson().fieldNames()) {
            assertEquals(!key.equals("seed"), s.values().containsKey("trainer." + key), key);
        }
        assertEquals("16", s.values().get("trainer.batchPairs"));
        assertEquals("3", s.values().get("trainer.mesh.replicas"));
        assertEquals("SQRT", s.values().get("trainer.mesh.updateScale"));
        assertEquals("-1", s.values().get("trainer.mesh.maxLag"));
        assertEquals("0", s.values().get("trainer.mesh.foreignRowsEvery"));
        assertEquals("0.001", s.values().get("trainer.learningRate"));
    }

    @Test
    @DisplayName("another weight seed or mesh address agrees; any other difference is named with both values")
    void differences() {
        MeshSettings root = MeshSettings.of(ModelConfig.defaults(), 16, MESH);
        MeshSettings otherSeed = MeshSettings.of(model(new JsonObject().put("seed", 7)), 16,
                MeshConfig.from(Settings.of(Map.of("trainer.mesh.enabled", "true", "trainer.mesh.port", "40124",
                        "trainer.mesh.seeds", "127.0.0.1:40123", "trainer.mesh.replicas", "3",
                        "trainer.mesh.peerTimeout", "5s"))));
        assertTrue(otherSeed.differences(root).isEmpty(), otherSeed.differences(root).toString());
        otherSeed.requireSameAs(root, "127.0.0.1:40123");

        MeshSettings other = MeshSettings.of(model(new JsonObject().put("learningRate", 2e-3).put("loss", "ARCFACE")),
                8, MeshConfig.from(Settings.of(Map.of("trainer.mesh.enabled", "true",
                        "trainer.mesh.seeds", "127.0.0.1:40123", "trainer.mesh.replicas", "3",
                        "trainer.mesh.updateScale", "MEAN"))));
        List<String> diff = other.differences(root);
        assertEquals(List.of("trainer.batchPairs: 16 at the root, 8 here",
                "trainer.learningRate: 0.001 at the root, 0.002 here",
                "trainer.loss: SOFTMAX at the root, ARCFACE here",
                "trainer.mesh.updateScale: SQRT at the root, MEAN here"), diff);
        MeshException e = assertThrows(MeshException.class, () -> other.requireSameAs(root, "127.0.0.1:40123"));
        assertTrue(e.getMessage().contains("127.0.0.1:40123"), e.getMessage());
        for (String d : diff) {
            assertTrue(e.getMessage().contains(d), e.getMessage());
        }
    }

    @Test
    @DisplayName("a key only one side has is a difference (a root of another version)")
    void missingKey() {
        MeshSettings root = MeshSettings.of(ModelConfig.defaults(), 16, MESH);
        java.util.Map<String, String> fewer = new java.util.LinkedHashMap<>(root.values());
        fewer.remove("trainer.mesh.maxLag");
        fewer.put("trainer.somethingNew", "1");
        assertEquals(List.of("trainer.mesh.maxLag: -1 at the root, (none) here",
                "trainer.somethingNew: (none) at the root, 1 here"), new MeshSettings(fewer).differences(root));
    }

    @Test
    @DisplayName("the request and its answer cross the transport's serialisation with the settings intact")
    void messagesRoundTrip() {
        MeshSettings s = MeshSettings.of(ModelConfig.defaults(), 16, MESH);
        SettingsMessages.Request request = new SettingsMessages.Request(s);
        request.setRequestId("r-1");
        VoidMessage back = VoidMessage.fromBytes(bytes(request));
        SettingsMessages.Request r = assertInstanceOf(SettingsMessages.Request.class, back);
        assertEquals(s, r.settings());
        assertEquals("r-1", r.getRequestId());
        assertFalse(r.getMessageId() == null);

        SettingsMessages.Response response = new SettingsMessages.Response(s.values(), "r-1");
        SettingsMessages.Response a = assertInstanceOf(SettingsMessages.Response.class,
                VoidMessage.fromBytes(bytes(response)));
        assertEquals(s, a.settings());
        assertEquals("r-1", a.getRequestId());
        assertEquals(List.copyOf(s.values().keySet()), List.copyOf(a.settings().values().keySet()), "order kept");
    }

    @Test
    @DisplayName("the root's count of the mesh crosses the transport's serialisation intact")
    void membersRoundTrip() {
        Set<String> members = Set.of("127.0.0.1:40123", "10.0.0.2:40123");
        MembersMessage m = assertInstanceOf(MembersMessage.class,
                VoidMessage.fromBytes(bytes(new MembersMessage(7, members))));
        assertEquals(members, m.members());
        assertEquals(7, m.number());
        assertFalse(m.getMessageId() == null);
    }

    private static byte[] bytes(VoidMessage m) {
        var buffer = m.asUnsafeBuffer();
        byte[] out = new byte[buffer.capacity()];
        buffer.getBytes(0, out);
        return out;
    }
}
