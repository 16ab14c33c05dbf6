package io.facestream.dataset;

import io.facestream.dataset.files.AtomicFile;

import io.facestream.protocol.FaceImage;
import io.facestream.protocol.Limits;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Materialises any {@link IdentitySource} as an image folder {@code root/<identity>/<sampleId>.<jpg|png>} that
 * {@link ImageFolderSource} reads back byte for byte. Each file appears atomically (temporary file, then rename),
 * so a reader scanning concurrently never sees half an image.
 */
public final class ImageFolderWriter {
    private static final Logger LOG = LoggerFactory.getLogger(ImageFolderWriter.class);
    /** Sample ids usable as file names as they are; others are replaced by the image index. */
    private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9_\\-][A-Za-z0-9_.\\- ]{0,199}");

    private ImageFolderWriter() {
    }

    /**
     * Writes every image of every identity of {@code src} under {@code root}, replacing files of the same name.
     *
     * @return how many images were written
     * @throws IOException naming the file that could not be written, or passing on a read failure of {@code src}
     */
    public static long write(IdentitySource src, Path root) throws IOException {
        Files.createDirectories(root);
        long written = 0;
        int done = 0;
        for (String identity : src.identities()) {
            Path dir = root.resolve(Limits.checkIdentity(identity));
            Files.createDirectories(dir);
            Set<String> names = new HashSet<>();
            int count = src.imageCount(identity);
            for (int i = 0; i < count; i++) {
                FaceImage image = src.read(identity, i);
                String ext = switch (image.encoding()) {
                    case JPEG -> ".jpg";
                    case PNG -> ".png";
                };
                String stem = fileStem(identity, image.sampleId(), i, names);
                AtomicFile.write(dir.resolve(stem + ext), image.bytes());
                written++;
            }
            if (++done % 1000 == 0) {
                LOG.info("wrote {} of {} identities ({} images) to {}", done, src.identities().size(), written, root);
            }
        }
        LOG.info("wrote {} images of {} identities from {} to {}", written, done, src.describe(), root);
        return written;
    }

    /**
     * The sample id when it is a safe file name not used yet in this directory (compared case-insensitively, for
     * file systems that ignore case), otherwise a name made from the index.
     */
    private static String fileStem(String identity, String sampleId, int index, Set<String> used) {
        if (SAFE_NAME.matcher(sampleId).matches() && used.add(sampleId.toLowerCase(Locale.ROOT))) {
            return sampleId;
        }
        String stem = String.format("%06d", index);
        while (!used.add(stem)) {
            stem = stem + "_";
        }
        LOG.warn("identity {}: sample id {} is not a safe file name or occurs twice; image {} is written as {}",
                identity, sampleId.length() > 60 ? sampleId.substring(0, 60) + "..." : sampleId,
                index, stem);
        return stem;
    }
}
