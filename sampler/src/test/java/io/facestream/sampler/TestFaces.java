package io.facestream.sampler;

import io.facestream.protocol.FaceImage;
import io.facestream.protocol.ImageEncoding;
import io.facestream.dataset.IdentitySource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Identities whose "images" are bytes that spell out identity and index, padded to a fixed size, so a test can
 * check that every record carries exactly the images it names. No rendering, no files.
 */
public final class TestFaces implements IdentitySource {
    private final Map<String, Integer> counts = new TreeMap<>();
    private final int imageBytes;

    /** {@code identities} identities {@code id-000...}, the i-th with {@code minImages + i % spread} images. */
    public TestFaces(int identities, int minImages, int spread, int imageBytes) {
        for (int i = 0; i < identities; i++) {
            counts.put(String.format("id-%03d", i), minImages + i % spread);
        }
        this.imageBytes = imageBytes;
    }

    /** The bytes of image {@code index} of {@code identity}. */
    public static byte[] content(String identity, int index, int size) {
        byte[] label = (identity + "/" + index + "/").getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[Math.max(size, label.length)];
        for (int i = 0; i < out.length; i++) {
            out[i] = label[i % label.length];
        }
        return out;
    }

    int imageBytes() {
        return imageBytes;
    }

    @Override
    public List<String> identities() {
        return new ArrayList<>(counts.keySet());
    }

    @Override
    public int imageCount(String identity) {
        Integer n = counts.get(identity);
        if (n == null) {
            throw new IllegalArgumentException("unknown identity " + identity);
        }
        return n;
    }

    @Override
    public FaceImage read(String identity, int index) throws IOException {
        if (index < 0 || index >= imageCount(identity)) {
            throw new IndexOutOfBoundsException("no image " + index + " of " + identity);
        }
        return new FaceImage(identity, Integer.toString(index), ImageEncoding.JPEG, content(identity, index, imageBytes));
    }

    @Override
    public String describe() {
        return "test faces (" + counts.size() + " identities, " + imageBytes + " bytes per image)";
    }
}
