package io.facestream.sampler.ingest;

/**
 * The ingest consumer of a sampler replica died of an error it could not recover from (fencing, authorization, a
 * bug): the replica no longer takes new identities in, so the role must exit and be restarted.
 */
public final class IngestStoppedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public IngestStoppedException(String replica, Throwable cause) {
        super("ingest consumer of sampler " + replica + " died: " + cause
                + "; no new identities are taken in, so the sampler exits for its supervisor to restart it", cause);
    }
}
