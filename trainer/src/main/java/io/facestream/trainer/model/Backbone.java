package io.facestream.trainer.model;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;

import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which parameters of a graph are the backbone: those of the embedding vertex and of every vertex it reads from,
 * directly or not. A loss or a classification head reads the embedding, so none of theirs is backbone, whatever
 * the head is.
 */
final class Backbone {
    private Backbone() {
    }

    /** The backbone's parameter names as DL4J keys them ({@code layerName_param}, e.g. {@code fc_W}). */
    static Set<String> parameterNames(ComputationGraph graph, String embedding) {
        if (graph.getVertex(embedding) == null) {
            throw new IllegalArgumentException("the graph has no vertex " + embedding);
        }
        Set<String> backbone = upstreamOf(graph.getConfiguration(), embedding);
        Set<String> names = new TreeSet<>();
        for (String key : graph.paramTable().keySet()) {
            if (backbone.contains(vertexOf(graph, key))) {
                names.add(key);
            }
        }
        return names;
    }

    private static Set<String> upstreamOf(ComputationGraphConfiguration conf, String vertex) {
        Set<String> seen = new HashSet<>();
        ArrayDeque<String> todo = new ArrayDeque<>(List.of(vertex));
        while (!todo.isEmpty()) {
            String v = todo.pop();
            if (seen.add(v)) {
                todo.addAll(conf.getVertexInputs().getOrDefault(v, List.of()));
            }
        }
        return seen;
    }

    /** The vertex of a parameter key: DL4J joins layer name and parameter with '_', and names may hold '_' too. */
    private static String vertexOf(ComputationGraph graph, String parameterKey) {
        for (int i = parameterKey.lastIndexOf('_'); i > 0; i = parameterKey.lastIndexOf('_', i - 1)) {
            String vertex = parameterKey.substring(0, i);
            if (graph.getVertex(vertex) != null) {
                return vertex;
            }
        }
        throw new IllegalStateException("parameter " + parameterKey + " names no vertex of the graph");
    }
}
