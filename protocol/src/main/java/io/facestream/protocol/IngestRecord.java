package io.facestream.protocol;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * New images for one identity, as produced to {@link Topics#IDENTITIES} by the HTTP ingest or a user's producer.
 *
 * @param identity    the identity the images belong to
 * @param images      one or more images
 * @param contentHash SHA-256 over the images' bytes in order (see {@link #hashOf(List)}); lets consumers
 *                    skip a request they already stored
 * @param requestId   the request id returned to the client
 */
public record IngestRecord(String identity, List<FaceImage> images, byte[] contentHash, String requestId) {
    public IngestRecord {
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(contentHash, "contentHash");
        images = List.copyOf(images);
    }

    /** Builds a record whose content hash is computed from the images. */
    public static IngestRecord of(String identity, List<FaceImage> images, String requestId) {
        return new IngestRecord(identity, images, hashOf(images), requestId);
    }

    /** SHA-256 over every image's bytes, in order. */
    public static byte[] hashOf(List<FaceImage> images) {
        try {
            var md = java.security.MessageDigest.getInstance("SHA-256");
            for (FaceImage image : images) {
                md.update(image.bytes());
            }
            return md.digest();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IngestRecord r && identity.equals(r.identity) && images.equals(r.images)
                && Arrays.equals(contentHash, r.contentHash) && requestId.equals(r.requestId);
    }

    @Override
    public int hashCode() {
        return Objects.hash(identity, images, Arrays.hashCode(contentHash), requestId);
    }
}
