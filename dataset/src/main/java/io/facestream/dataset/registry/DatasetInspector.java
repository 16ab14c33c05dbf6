package io.facestream.dataset.registry;

import io.facestream.dataset.formats.BadRecord;
import io.facestream.dataset.formats.BadRecordPolicy;
import io.facestream.dataset.formats.BadRecords;
import io.facestream.dataset.formats.DatasetFormat;
import io.facestream.dataset.formats.DatasetOptions;
import io.facestream.dataset.formats.DatasetSource;
import io.facestream.dataset.formats.DatasetVerifier;

import io.facestream.dataset.registry.DatasetFormats;

import io.facestream.protocol.FaceImage;
import io.facestream.dataset.IdentitySource;
import io.facestream.dataset.ImageFolderSource;
import io.facestream.dataset.Images;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Reads a whole dataset once and describes it: its format, how many identities and images it has, how images
 * spread over identities, and every bad record (checksums, truncation, missing index entries, images that do not
 * decode), each with its file and byte offset.
 */
public final class DatasetInspector {
    private DatasetInspector() {
    }

    /**
     * Inspects the dataset at {@code path} under the skip policy, so every problem is found rather than the first.
     *
     * @return {@code {"format", "path", "identities", "images", "readableImages", "imagesPerIdentity": {"min",
     * "median", "max"}, "problems": {"count", "byKind", "first": [...]}}}
     */
    public static JsonObject inspect(Path path, DatasetOptions options) throws IOException {
        DatasetFormat format = DatasetFormats.detect(path);
        try (IdentitySource source = DatasetFormats.open(path, options.withBadRecords(BadRecordPolicy.SKIP))) {
            BadRecords bad;
            long readable;
            JsonObject extra = new JsonObject();
            if (source instanceof DatasetSource ds) {
                readable = DatasetVerifier.verify(ds);
                bad = ds.badRecords();
            } else {
                bad = new BadRecords(BadRecordPolicy.SKIP);
                readable = verifyFolder(source, bad);
                if (source instanceof ImageFolderSource folder) {
                    extra.put("skippedDirectories", folder.skippedDirectories());
                }
            }
            List<String> ids = source.identities();
            int[] counts = new int[ids.size()];
            long images = 0;
            for (int i = 0; i < counts.length; i++) {
                counts[i] = source.imageCount(ids.get(i));
                images += counts[i];
            }
            Arrays.sort(counts);
            JsonObject perIdentity = counts.length == 0 ? new JsonObject().put("min", 0).put("median", 0).put("max", 0)
                    : new JsonObject().put("min", counts[0]).put("median", median(counts)).put("max", counts[counts.length - 1]);
            return new JsonObject()
                    .put("format", format.id())
                    .put("path", path.toString())
                    .put("identities", ids.size())
                    .put("images", images)
                    .put("readableImages", readable)
                    .put("imagesPerIdentity", perIdentity)
                    .mergeIn(extra)
                    .put("problems", bad.toJson());
        }
    }

    /** The middle value of sorted counts; the mean of the two middle ones for an even number. */
    static double median(int[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
    }

    private static long verifyFolder(IdentitySource source, BadRecords bad) throws IOException {
        Path root = source instanceof ImageFolderSource folder ? folder.root() : Path.of(".");
        long good = 0;
        for (String id : source.identities()) {
            for (int i = 0, n = source.imageCount(id); i < n; i++) {
                FaceImage image;
                try {
                    image = source.read(id, i);
                    Images.decode(image.bytes(), id + "/" + image.sampleId());
                    good++;
                } catch (IOException e) {
                    // image folders have no records: the identity's directory and the reader's message locate it
                    bad.found(new BadRecord(root.resolve(id), 0, BadRecord.Kind.UNDECODABLE_IMAGE, e.getMessage()));
                }
            }
        }
        return good;
    }
}
