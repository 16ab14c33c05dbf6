package io.facestream.server.inference;

import io.vertx.core.json.JsonObject;

/**
 * Counters of the model service since it started: what the dynamic batching actually formed
 * ({@code images / networkCalls} is the mean batch) and how many requests were answered or refused as busy.
 * Shown in {@code GET /api/status} under {@code inference}.
 *
 * @param requests     requests that reached the network (answered with embeddings)
 * @param networkCalls calls of the network, one per batch
 * @param images       images that went through the network
 * @param refusedBusy  requests refused because {@code server.api.maxPendingInferences} (or
 *                     {@code server.api.maxPendingBytes}) were already waiting
 * @param pending      requests waiting for the model now
 * @param networkNanos time spent in the network calls (the inference thread's busy time)
 */
public record InferenceStats(long requests, long networkCalls, long images, long refusedBusy, int pending,
                             long networkNanos) {
    /** Images per network call, 0 before the first. */
    public double meanBatch() {
        return networkCalls == 0 ? 0 : images / (double) networkCalls;
    }

    /** The counters between {@code earlier} and this reading ({@code pending} is this reading's). */
    public InferenceStats since(InferenceStats earlier) {
        return new InferenceStats(requests - earlier.requests, networkCalls - earlier.networkCalls,
                images - earlier.images, refusedBusy - earlier.refusedBusy, pending, networkNanos - earlier.networkNanos);
    }

    public JsonObject toJson() {
        return new JsonObject().put("requests", requests).put("networkCalls", networkCalls).put("images", images)
                .put("meanBatch", meanBatch()).put("refusedBusy", refusedBusy).put("pending", pending)
                .put("networkSeconds", networkNanos / 1e9);
    }

    public static InferenceStats fromJson(JsonObject json) {
        return new InferenceStats(json.getLong("requests"), json.getLong("networkCalls"), json.getLong("images"),
                json.getLong("refusedBusy"), json.getInteger("pending"),
                Math.round(json.getDouble("networkSeconds") * 1e9));
    }
}
