package io.facestream.protocol;

import java.util.Arrays;
import java.util.Objects;

/**
 * One encoded face image of one identity.
 *
 * @param identity identity id (see {@link Limits#checkIdentity(String)})
 * @param sampleId id of this image within its identity (file name, record index, content hash)
 * @param encoding how {@code bytes} are encoded
 * @param bytes    the encoded image; not copied, callers must not mutate it
 */
public record FaceImage(String identity, String sampleId, ImageEncoding encoding, byte[] bytes) {
    public FaceImage {
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(sampleId, "sampleId");
        Objects.requireNonNull(encoding, "encoding");
        Objects.requireNonNull(bytes, "bytes");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FaceImage f && identity.equals(f.identity) && sampleId.equals(f.sampleId)
                && encoding == f.encoding && Arrays.equals(bytes, f.bytes);
    }

    @Override
    public int hashCode() {
        return Objects.hash(identity, sampleId, encoding, Arrays.hashCode(bytes));
    }

    @Override
    public String toString() {
        return "FaceImage[" + identity + "/" + sampleId + ", " + encoding + ", " + bytes.length + " bytes]";
    }
}
