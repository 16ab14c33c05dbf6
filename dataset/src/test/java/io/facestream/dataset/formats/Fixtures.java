package io.facestream.dataset.formats;

import io.facestream.protocol.FaceImage;
import io.facestream.dataset.IdentitySource;
import io.facestream.dataset.SyntheticConfig;
import io.facestream.dataset.SyntheticFaces;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Small datasets with real JPEG bytes, and the ways tests damage them. */
public final class Fixtures {
    private Fixtures() {
    }

    /** {@code identities} synthetic people of {@code images} 32x32 JPEGs each. */
    public static SyntheticFaces faces(int identities, int images) {
        return new SyntheticFaces(SyntheticConfig.of(11, identities, images, 32, 0));
    }

    /** Labels 100, 101, ... so that a test sees labels kept rather than renumbered from 0. */
    public static Map<String, Long> labels(IdentitySource source) {
        Map<String, Long> labels = new LinkedHashMap<>();
        for (String id : source.identities()) {
            labels.put(id, 100L + labels.size());
        }
        return labels;
    }

    /** Every image of a source as (label, index) -> bytes, the content a faithful copy must keep. */
    public static Map<String, byte[]> content(IdentitySource source, Map<String, Long> labels) throws IOException {
        Map<String, byte[]> out = new LinkedHashMap<>();
        for (String id : source.identities()) {
            for (int i = 0; i < source.imageCount(id); i++) {
                FaceImage image = source.read(id, i);
                out.put(labels.get(id) + "/" + i, image.bytes());
            }
        }
        return out;
    }

    /** Flips every bit of one byte of a file. */
    public static void flipByte(Path file, long offset) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(offset);
            int b = f.read();
            f.seek(offset);
            f.write(~b & 0xFF);
        }
    }

    /** Cuts {@code bytes} bytes off the end of a file. */
    public static void truncateBy(Path file, long bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() - bytes);
        }
    }

    /** All identity ids a source lists, copied. */
    public static List<String> ids(IdentitySource source) {
        return new ArrayList<>(source.identities());
    }
}
