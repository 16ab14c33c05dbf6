package io.facestream.server.stack;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The FaceStream services of {@code compose.yaml} as the stack test needs them: each service's image, command (the
 * role subcommand and its flags), environment, named-volume mounts and published ports, with YAML anchors and merge
 * keys resolved.
 */
final class ComposeFile {
    /** A named volume mounted at {@code path}. */
    record Mount(String volume, String path) {
    }

    /**
     * One service; {@code image} is its image name ({@code facestream:cpu}, {@code facestream-slim:cpu}, ...),
     * {@code ports} maps host port to container port; {@code healthcheck} is its test command or empty.
     */
    record Service(String name, String image, List<String> command, Map<String, String> environment,
                   List<Mount> mounts, Map<Integer, Integer> ports, List<String> healthcheck) {
    }

    private final Map<String, Object> services;

    private ComposeFile(Map<String, Object> services) {
        this.services = services;
    }

    static ComposeFile read(Path file) throws IOException {
        Object doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(file));
        Map<String, Object> top = map(doc, file.toString());
        return new ComposeFile(map(top.get("services"), "services"));
    }

    Service service(String name) {
        Map<String, Object> s = map(services.get(name), "services." + name);
        List<String> command = new ArrayList<>();
        for (Object arg : list(s.get("command"), name + ".command")) {
            command.add(String.valueOf(arg));
        }
        Map<String, String> env = new LinkedHashMap<>();
        if (s.get("environment") != null) {
            map(s.get("environment"), name + ".environment").forEach((k, v) -> env.put(k, String.valueOf(v)));
        }
        List<Mount> mounts = new ArrayList<>();
        if (s.get("volumes") != null) {
            for (Object v : list(s.get("volumes"), name + ".volumes")) {
                String[] parts = String.valueOf(v).split(":");
                mounts.add(new Mount(parts[0], parts[1]));
            }
        }
        Map<Integer, Integer> ports = new LinkedHashMap<>();
        if (s.get("ports") != null) {
            for (Object p : list(s.get("ports"), name + ".ports")) {
                String[] parts = String.valueOf(p).split(":");
                ports.put(Integer.parseInt(parts[parts.length - 2]), Integer.parseInt(parts[parts.length - 1]));
            }
        }
        List<String> healthcheck = new ArrayList<>();
        if (s.get("healthcheck") != null) {
            for (Object arg : list(map(s.get("healthcheck"), name + ".healthcheck").get("test"), name + ".healthcheck.test")) {
                healthcheck.add(String.valueOf(arg));
            }
        }
        String image = String.valueOf(s.get("image"));
        return new Service(name, image, List.copyOf(command), env, List.copyOf(mounts), ports,
                List.copyOf(healthcheck));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o, String what) {
        if (!(o instanceof Map<?, ?>)) {
            throw new IllegalStateException("compose.yaml: " + what + " must be a mapping, got " + o);
        }
        return (Map<String, Object>) o;
    }

    private static List<?> list(Object o, String what) {
        if (!(o instanceof List<?> l)) {
            throw new IllegalStateException("compose.yaml: " + what + " must be a list, got " + o);
        }
        return l;
    }
}
