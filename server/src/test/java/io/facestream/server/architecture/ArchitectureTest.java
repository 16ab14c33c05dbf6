package io.facestream.server.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * The layout rules, read from the sources of every module: which of our modules a module's code may name, and no
 * package cycles inside a module. References are found as imports and as fully qualified names in code, so a
 * call such as {@code io.facestream.x.Y.z()} counts too.
 */
class ArchitectureTest {

    /** Module → the root packages of ours its main code may use (its own included). */
    private static final Map<String, Set<String>> ALLOWED = Map.of(
            "protocol", Set.of("protocol"),
            "dataset", Set.of("protocol", "dataset"),
            "broker", Set.of("protocol", "dataset", "broker"),
            "sampler", Set.of("protocol", "dataset", "sampler"),
            "trainer", Set.of("protocol", "dataset", "trainer"),
            "server", Set.of("protocol", "dataset", "broker", "sampler", "trainer", "server"));

    private static final Pattern REFERENCE = Pattern.compile("\\bio\\.facestream\\.([a-z0-9_.]+?)\\.[A-Z]");
    private static final Pattern COMMENT = Pattern.compile("//[^\\n]*|/\\*[\\s\\S]*?\\*/");
    private static final Pattern STRING = Pattern.compile("\"(?:\\\\.|[^\"\\\\])*\"");

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"protocol", "dataset", "broker", "sampler", "trainer", "server"})
    @DisplayName("a module's main code names only the modules it may depend on (roles never name another role)")
    void moduleDependencies(String module) {
        Map<String, Set<String>> graph = packageGraph(module);
        Set<String> used = new TreeSet<>();
        graph.values().forEach(targets -> targets.forEach(t -> used.add(t.split("\\.")[0])));
        graph.keySet().forEach(p -> used.add(p.split("\\.")[0]));
        used.removeAll(ALLOWED.get(module));
        assertTrue(used.isEmpty(), module + " names " + used + "; allowed: " + ALLOWED.get(module));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"protocol", "dataset", "broker", "sampler", "trainer", "server"})
    @DisplayName("no package cycles inside a module")
    void noPackageCycles(String module) {
        List<Set<String>> cycles = cycles(packageGraph(module));
        assertEquals(List.of(), cycles, module + " has package cycles (each set is one strongly connected group)");
    }

    @Test
    @DisplayName("the cycle finder sees a cycle through three packages and none in a chain")
    void cycleFinderWorks() {
        Map<String, Set<String>> loop = new TreeMap<>(Map.of("a", Set.of("b"), "b", Set.of("c"), "c", Set.of("a"),
                "d", Set.of("a")));
        assertEquals(List.of(Set.of("a", "b", "c")), cycles(loop));
        assertEquals(List.of(), cycles(new TreeMap<>(Map.of("a", Set.of("b"), "b", Set.of("c"), "c", Set.of()))));
    }

    /** Package (below io.facestream) → packages of ours its main sources name, for one module. */
    static Map<String, Set<String>> packageGraph(String module) {
        Path root = repositoryRoot().resolve(module).resolve("src/main/java/io/facestream");
        assertTrue(Files.isDirectory(root), "no sources at " + root);
        Map<String, Set<String>> graph = new TreeMap<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String pkg = root.relativize(file.getParent()).toString().replace('/', '.');
                Set<String> targets = graph.computeIfAbsent(pkg, k -> new TreeSet<>());
                String code = STRING.matcher(COMMENT.matcher(Files.readString(file)).replaceAll(" ")).replaceAll("\"\"");
                Matcher m = REFERENCE.matcher(code);
                while (m.find()) {
                    String target = m.group(1);
                    if (!target.equals(pkg)) {
                        targets.add(target);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return graph;
    }

    /** The strongly connected groups of more than one package (Tarjan), in a stable order. */
    static List<Set<String>> cycles(Map<String, Set<String>> graph) {
        Tarjan t = new Tarjan(graph);
        graph.keySet().forEach(t::visit);
        return t.groups;
    }

    private static final class Tarjan {
        final Map<String, Set<String>> graph;
        final Map<String, Integer> index = new TreeMap<>();
        final Map<String, Integer> low = new TreeMap<>();
        final List<String> stack = new ArrayList<>();
        final List<Set<String>> groups = new ArrayList<>();
        int next;

        Tarjan(Map<String, Set<String>> graph) {
            this.graph = graph;
        }

        void visit(String v) {
            if (index.containsKey(v)) {
                return;
            }
            index.put(v, next);
            low.put(v, next++);
            stack.add(v);
            for (String w : graph.getOrDefault(v, Set.of())) {
                if (!graph.containsKey(w)) {
                    continue; // another module's package
                }
                if (!index.containsKey(w)) {
                    visit(w);
                    low.put(v, Math.min(low.get(v), low.get(w)));
                } else if (stack.contains(w)) {
                    low.put(v, Math.min(low.get(v), index.get(w)));
                }
            }
            if (low.get(v).equals(index.get(v))) {
                Set<String> group = new TreeSet<>();
                String w;
                do {
                    w = stack.remove(stack.size() - 1);
                    group.add(w);
                } while (!w.equals(v));
                if (group.size() > 1) {
                    groups.add(group);
                }
            }
        }
    }

    /** The directory holding the parent pom (tests run in the module's directory). */
    static Path repositoryRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isDirectory(dir.resolve("server/src"))) {
            dir = dir.getParent();
        }
        assertTrue(dir != null, "repository root not found above " + Path.of("").toAbsolutePath());
        return dir;
    }
}
