package io.facestream.trainer.mesh;

import io.facestream.protocol.config.ConfigException;
import io.facestream.protocol.config.Settings;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MeshConfigTest {

    @Test
    @DisplayName("the mesh is off by default and binds loopback")
    void defaults() {
        MeshConfig c = MeshConfig.defaults();
        assertFalse(c.enabled());
        assertEquals("127.0.0.1", c.host());
        assertEquals(1, c.replicas());
        assertTrue(c.seeds().isEmpty());
        assertEquals(-1, c.maxLag(), "DL4J's asynchronous sharing unless a bound is asked for");
        assertEquals(java.time.Duration.ofSeconds(2), c.lagWait());
        assertEquals(MeshConfig.UpdateScale.SQRT, c.updateScale(), "the replicas' updates scaled by 1/sqrt(replicas)");
        assertTrue(assertThrows(ConfigException.class, () -> MeshConfig.from(
                Settings.of(Map.of("trainer.mesh.maxLag", "-2")))).getMessage().contains("trainer.mesh.maxLag"));
    }

    @Test
    @DisplayName("seeds parse as host:port, the first is the root, and the root is recognised by address")
    void seedsAndRoot() {
        MeshConfig c = MeshConfig.from(Settings.of(Map.of("trainer.mesh.enabled", "true", "trainer.mesh.port", "41001",
                "trainer.mesh.seeds", " 127.0.0.1:41001 , other:41002", "trainer.mesh.replicas", "2")));
        assertEquals(List.of(new MeshConfig.Seed("127.0.0.1", 41001), new MeshConfig.Seed("other", 41002)), c.seeds());
        assertTrue(c.selfIsRoot());
        MeshConfig replica = MeshConfig.from(Settings.of(Map.of("trainer.mesh.enabled", "true",
                "trainer.mesh.port", "41003", "trainer.mesh.seeds", "127.0.0.1:41001")));
        assertFalse(replica.selfIsRoot());
        MeshConfig byName = MeshConfig.from(Settings.of(Map.of("trainer.mesh.enabled", "true",
                "trainer.mesh.host", "localhost", "trainer.mesh.port", "41001", "trainer.mesh.seeds", "127.0.0.1:41001")));
        assertTrue(byName.selfIsRoot(), "localhost and 127.0.0.1 are one address");
        assertFalse(byName.replicaOnly(), "the root by another name checkpoints and reports the run");
        assertTrue(replica.replicaOnly());
        assertFalse(MeshConfig.defaults().replicaOnly(), "no mesh: a trainer of its own");
    }

    @Test
    @DisplayName("the update scale is the mean, 1/sqrt or the sum of the replicas' updates, and anything else fails "
            + "naming the key and the choices")
    void updateScale() {
        assertEquals(0.25, MeshConfig.UpdateScale.MEAN.factor(4));
        assertEquals(0.5, MeshConfig.UpdateScale.SQRT.factor(4));
        assertEquals(1.0 / Math.sqrt(3), MeshConfig.UpdateScale.SQRT.factor(3), 1e-15);
        assertEquals(1.0, MeshConfig.UpdateScale.SUM.factor(4));
        for (MeshConfig.UpdateScale scale : MeshConfig.UpdateScale.values()) {
            assertEquals(1.0, scale.factor(1), "one replica's update is its own step, whatever the scale");
            assertEquals(scale, MeshConfig.from(Settings.of(Map.of("trainer.mesh.updateScale",
                    scale.name().toLowerCase(java.util.Locale.ROOT)))).updateScale());
        }
        ConfigException bad = assertThrows(ConfigException.class,
                () -> MeshConfig.from(Settings.of(Map.of("trainer.mesh.updateScale", "median"))));
        assertTrue(bad.getMessage().startsWith("trainer.mesh.updateScale") && bad.getMessage().contains("sqrt")
                && bad.getMessage().contains("median"), bad.getMessage());
    }

    @Test
    @DisplayName("The class-row exchange is off by default, takes a step count and a row bound, and a bad value "
            + "names its key")
    void foreignRows() {
        MeshConfig d = MeshConfig.defaults();
        assertEquals(0, d.foreignRowsEvery());
        assertEquals(1_000_000, d.foreignRowsMax());
        MeshConfig c = MeshConfig.from(Settings.of(Map.of("trainer.mesh.foreignRowsEvery", "10",
                "trainer.mesh.foreignRowsMax", "5000")));
        assertEquals(10, c.foreignRowsEvery());
        assertEquals(5000, c.foreignRowsMax());
        for (String key : List.of("trainer.mesh.foreignRowsEvery", "trainer.mesh.foreignRowsMax")) {
            ConfigException bad = assertThrows(ConfigException.class,
                    () -> MeshConfig.from(Settings.of(Map.of(key, "-1"))));
            assertTrue(bad.getMessage().contains(key), bad.getMessage());
        }
    }

    @Test
    @DisplayName("bad mesh settings fail naming the key")
    void badSettings() {
        ConfigException noSeeds = assertThrows(ConfigException.class,
                () -> MeshConfig.from(Settings.of(Map.of("trainer.mesh.enabled", "true"))));
        assertTrue(noSeeds.getMessage().contains("trainer.mesh.seeds"), noSeeds.getMessage());
        for (String seeds : List.of("hostonly", "host:", ":41001", "host:x", "host:70000")) {
            ConfigException e = assertThrows(ConfigException.class, () -> MeshConfig.from(Settings.of(
                    Map.of("trainer.mesh.seeds", seeds))), seeds);
            assertTrue(e.getMessage().startsWith("trainer.mesh.seeds"), e.getMessage());
        }
        ConfigException replicas = assertThrows(ConfigException.class,
                () -> MeshConfig.from(Settings.of(Map.of("trainer.mesh.replicas", "0"))));
        assertTrue(replicas.getMessage().contains("trainer.mesh.replicas"), replicas.getMessage());
        ConfigException timeout = assertThrows(ConfigException.class,
                () -> MeshConfig.from(Settings.of(Map.of("trainer.mesh.peerTimeout", "1ms"))));
        assertTrue(timeout.getMessage().contains("trainer.mesh.peerTimeout"), timeout.getMessage());
    }

    @Test
    @DisplayName("a mesh refuses to start without it being enabled")
    void disabledMeshRefused() {
        assertThrows(IllegalArgumentException.class, () -> new AeronGradientMesh(MeshConfig.defaults(), 8));
    }
}
