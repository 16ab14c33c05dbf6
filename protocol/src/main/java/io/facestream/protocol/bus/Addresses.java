package io.facestream.protocol.bus;

/** Vert.x event-bus addresses used inside one FaceStream process. */
public final class Addresses {
    /** Trainer -> evaluation: validation embeddings of one step ({@code EvalRequest}, local codec). */
    public static final String EVAL_REQUEST = "facestream.eval.request";
    /** Evaluation -> anyone in the process: the {@code eval} event figures as JSON, after each evaluation. */
    public static final String EVAL_RESULT = "facestream.eval.result";
    /** Trainer -> anyone: a {@code train} figures JSON every reporting window. */
    public static final String TRAIN_STATS = "facestream.train.stats";
    /** Trainer -> anyone: the trainer stopped (a bounded run finished, or it failed); JSON with step and error. */
    public static final String TRAINER_DONE = "facestream.trainer.done";
    /** Sampler -> anyone: a JSON snapshot of a sampler's counters. */
    public static final String SAMPLER_STATS = "facestream.sampler.stats";
    /** Ingest (HTTP front door, sampler stores) -> anyone: a JSON snapshot of one side's ingest counters. */
    public static final String INGEST_STATS = "facestream.ingest.stats";
    /** Any publisher -> the metrics topic: every metrics event published in this process, as JSON. */
    public static final String METRICS_EVENT = "facestream.metrics.event";

    private Addresses() {
    }
}
