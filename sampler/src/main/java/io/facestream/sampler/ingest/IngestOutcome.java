package io.facestream.sampler.ingest;

/**
 * What applying one ingest record did.
 *
 * @param identity      the identity
 * @param requestId     the record's request id
 * @param added         images written to the store
 * @param duplicates    images the store already held
 * @param newIdentity   whether the identity was unknown to this sampler before
 * @param imageCount    the identity's image count afterwards (catalog and store)
 * @param inRotation    whether the identity is in this replica's rotation (owned; it is drawn once it has
 *                      {@code minImages} images)
 */
public record IngestOutcome(String identity, String requestId, int added, int duplicates, boolean newIdentity,
                            int imageCount, boolean inRotation) {
}
