package io.facestream.server.ingest;

import io.facestream.sampler.ingest.IngestFixtures;

import io.facestream.protocol.FaceImage;
import io.facestream.protocol.ImageEncoding;
import io.facestream.dataset.Images;
import io.facestream.sampler.ingest.ImageCheck;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static io.facestream.sampler.ingest.IngestFixtures.NEWCOMERS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FolderBatchesTest {
    private static final ImageCheck CHECK = ImageCheck.withPixelLimit(1 << 20);

    @TempDir
    Path root;

    private List<FolderBatches.Batch> walk(int maxImages, List<String> problems) throws IOException {
        List<FolderBatches.Batch> batches = new ArrayList<>();
        new FolderBatches(root, maxImages, CHECK).walk(batches::add, problems::add);
        return batches;
    }

    @Test
    @DisplayName("identities in name order, each in batches of at most the limit, every good image sent once")
    void batches() throws IOException {
        String a = NEWCOMERS.identities().get(0);
        String b = NEWCOMERS.identities().get(1);
        byte[] jpeg = NEWCOMERS.read(a, 0).bytes();
        Files.createDirectories(root.resolve(b));
        Files.createDirectories(root.resolve(a));
        for (int i = 0; i < 7; i++) {
            Files.write(root.resolve(a).resolve(String.format("%02d.jpg", i)), jpeg);
        }
        Files.write(root.resolve(b).resolve("face.PNG"), Images.encodePng(NEWCOMERS.render(b, 0)));
        Files.writeString(root.resolve(b).resolve("notes.txt"), "ignored");
        List<String> problems = new ArrayList<>();
        List<FolderBatches.Batch> batches = walk(3, problems);
        assertEquals(List.of(), problems);
        assertEquals(List.of(a, a, a, b), batches.stream().map(FolderBatches.Batch::identity).toList());
        assertEquals(List.of(3, 3, 1, 1), batches.stream().map(x -> x.images().size()).toList());
        assertEquals("06.jpg", batches.get(2).images().get(0).sampleId());
        FaceImage png = batches.get(3).images().get(0);
        assertEquals(ImageEncoding.PNG, png.encoding());
        assertEquals(b, png.identity());
    }

    @Test
    @DisplayName("random folders: batches respect the count and byte limits and carry every good image exactly once")
    void randomFolders() throws IOException {
        SplittableRandom rng = new SplittableRandom(8);
        byte[][] pool = {NEWCOMERS.read(NEWCOMERS.identities().get(2), 0).bytes(), NEWCOMERS.read(NEWCOMERS.identities().get(2), 1).bytes()};
        int expected = 0;
        for (int id = 0; id < 6; id++) {
            Path dir = Files.createDirectories(root.resolve("p" + id));
            int n = rng.nextInt(20);
            for (int i = 0; i < n; i++) {
                Files.write(dir.resolve("f" + i + ".jpg"), pool[rng.nextInt(2)]);
            }
            expected += n;
        }
        for (int limit : new int[]{1, 2, 5, 64}) {
            List<String> problems = new ArrayList<>();
            List<FolderBatches.Batch> batches = walk(limit, problems);
            assertEquals(List.of(), problems);
            assertEquals(expected, batches.stream().mapToInt(x -> x.images().size()).sum());
            for (FolderBatches.Batch batch : batches) {
                assertTrue(batch.images().size() <= limit && !batch.images().isEmpty());
                assertTrue(batch.images().stream().mapToLong(i -> i.bytes().length).sum() <= FolderBatches.MAX_BATCH_BYTES);
                assertTrue(batch.images().stream().allMatch(i -> i.identity().equals(batch.identity())));
            }
        }
    }

    @Test
    @DisplayName("a bad image and a directory that is not an identity id are reported by path and left out")
    void problems() throws IOException {
        String a = NEWCOMERS.identities().get(3);
        Files.createDirectories(root.resolve(a));
        byte[] good = NEWCOMERS.read(a, 0).bytes();
        Files.write(root.resolve(a).resolve("good.jpg"), good);
        Files.write(root.resolve(a).resolve("cut.jpg"), Arrays.copyOf(good, good.length / 3));
        Files.createDirectories(root.resolve("not an id"));
        Files.createDirectories(root.resolve(".git"));
        List<String> problems = new ArrayList<>();
        List<FolderBatches.Batch> batches = walk(64, problems);
        assertEquals(1, batches.size());
        assertEquals(List.of("good.jpg"), batches.get(0).images().stream().map(FaceImage::sampleId).toList());
        assertEquals(2, problems.size(), problems::toString);
        assertTrue(problems.get(0).contains("not an id") && problems.get(0).contains("identity id"), problems.get(0));
        assertTrue(problems.get(1).contains("cut.jpg") && problems.get(1).contains("decod"), problems.get(1));
    }
}
