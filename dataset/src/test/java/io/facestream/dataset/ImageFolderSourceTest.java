package io.facestream.dataset;

import io.facestream.protocol.FaceImage;
import io.facestream.protocol.ImageEncoding;
import io.facestream.protocol.ProtocolException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageFolderSourceTest {
    private static final SyntheticFaces FACES = new SyntheticFaces(SyntheticConfig.of(5, 4, 3, 48, 0));

    @TempDir
    Path root;

    @Test
    @DisplayName("a folder written from a source reads back every identity, sample id, encoding and byte")
    void roundTrip() throws IOException {
        assertEquals(12, ImageFolderWriter.write(FACES, root));
        try (ImageFolderSource folder = ImageFolderSource.open(root)) {
            assertEquals(FACES.identities(), folder.identities());
            for (String id : FACES.identities()) {
                assertEquals(3, folder.imageCount(id));
                for (int i = 0; i < 3; i++) {
                    assertEquals(FACES.read(id, i), folder.read(id, i));
                }
            }
            assertEquals("images(root=" + root + ", identities=4, images=12, skippedDirs=0)", folder.describe());
        }
        try (Stream<Path> files = Files.walk(root)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().startsWith(".")), "temporary files left behind");
        }
    }

    @Test
    @DisplayName("writing a folder as a folder again keeps every byte and sample id")
    void folderToFolder(@TempDir Path copy) throws IOException {
        ImageFolderWriter.write(FACES, root);
        try (ImageFolderSource first = ImageFolderSource.open(root)) {
            ImageFolderWriter.write(first, copy);
            try (ImageFolderSource second = ImageFolderSource.open(copy)) {
                assertEquals(first.read("syn-00003", 2), second.read("syn-00003", 2));
            }
        }
    }

    @Test
    @DisplayName("directories with invalid identity names are skipped and counted; empty ones are left out")
    void badAndEmptyDirectories() throws IOException {
        put("good", "a.jpg", jpeg(0));
        put("bad name", "a.jpg", jpeg(1));
        put(".hidden", "a.jpg", jpeg(2));
        put("caf\u00e9", "a.jpg", jpeg(3));
        Files.createDirectories(root.resolve("empty"));
        put("textonly", "notes.txt", "hello".getBytes());
        Files.write(root.resolve("stray.jpg"), jpeg(4));
        try (ImageFolderSource folder = ImageFolderSource.open(root)) {
            assertEquals(List.of("good"), folder.identities());
            assertEquals(3, folder.skippedDirectories());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> folder.imageCount("empty"));
            assertTrue(e.getMessage().contains("unknown identity empty"), e.getMessage());
        }
    }

    @Test
    @DisplayName("only .jpg, .jpeg and .png files of any case count, in name order; hidden files are ignored")
    void imageFilesOnly() throws IOException {
        put("p", "c.PNG", png());
        put("p", "a.JPG", jpeg(0));
        put("p", "b.Jpeg", jpeg(1));
        put("p", "d.gif", jpeg(2));
        put("p", "e.jpg.txt", jpeg(3));
        put("p", ".f.jpg", jpeg(4));
        put("p", "noext", jpeg(5));
        Files.createDirectories(root.resolve("p").resolve("sub.jpg"));
        try (ImageFolderSource folder = ImageFolderSource.open(root)) {
            assertEquals(3, folder.imageCount("p"));
            assertEquals(List.of("a", "b", "c"), List.of(folder.read("p", 0).sampleId(), folder.read("p", 1).sampleId(),
                    folder.read("p", 2).sampleId()));
            assertEquals(ImageEncoding.PNG, folder.read("p", 2).encoding());
        }
    }

    @Test
    @DisplayName("the encoding comes from the magic bytes: a PNG named .jpg is PNG")
    void encodingFromContent() throws IOException {
        put("p", "looks.jpg", png());
        put("p", "really.png", jpeg(0));
        try (ImageFolderSource folder = ImageFolderSource.open(root)) {
            assertEquals(ImageEncoding.PNG, folder.read("p", 0).encoding());
            assertEquals(ImageEncoding.JPEG, folder.read("p", 1).encoding());
        }
    }

    @Test
    @DisplayName("a.jpg beside a.png: the second keeps its extension in the sample id, so ids stay unique")
    void sampleIdsUnique() throws IOException {
        put("p", "a.jpg", jpeg(0));
        put("p", "a.png", png());
        try (ImageFolderSource folder = ImageFolderSource.open(root)) {
            assertEquals("a", folder.read("p", 0).sampleId());
            assertEquals("a.png", folder.read("p", 1).sampleId());
        }
    }

    @Test
    @DisplayName("a file that is not an image, vanished, or is empty fails to read with an IOException naming it")
    void unreadableFiles() throws IOException {
        put("p", "garbage.jpg", "not an image at all".getBytes());
        put("p", "gone.jpg", jpeg(0));
        put("p", "zero.png", new byte[0]);
        try (ImageFolderSource folder = ImageFolderSource.open(root)) {
            Files.delete(root.resolve("p/gone.jpg"));
            String neither = " is neither JPEG nor PNG (its first bytes are ";
            assertReadFails(folder, 0, root.resolve("p/garbage.jpg") + neither + "6e 6f");
            assertReadFails(folder, 1, root.resolve("p/gone.jpg") + " vanished");
            assertReadFails(folder, 2, root.resolve("p/zero.png") + neither + "none");
            assertThrows(IndexOutOfBoundsException.class, () -> folder.read("p", 3));
        }
    }

    private static void assertReadFails(ImageFolderSource folder, int index, String expected) {
        IOException e = assertThrows(IOException.class, () -> folder.read("p", index));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    @DisplayName("rescan appends new files after the known ones and adds new identities at the end of the order")
    void rescan() throws IOException {
        put("b", "m.jpg", jpeg(0));
        put("b", "z.jpg", jpeg(1));
        try (ImageFolderSource folder = ImageFolderSource.open(root)) {
            put("b", "a.jpg", jpeg(2));
            assertEquals(1, folder.rescan("b"));
            assertEquals(0, folder.rescan("b"));
            assertEquals(List.of("m", "z", "a"), List.of(folder.read("b", 0).sampleId(), folder.read("b", 1).sampleId(),
                    folder.read("b", 2).sampleId()));
            assertArrayEquals(jpeg(2), folder.read("b", 2).bytes());

            put("a", "x.png", png());
            assertEquals(List.of("b"), folder.identities());
            assertEquals(1, folder.rescan("a"));
            assertEquals(List.of("b", "a"), folder.identities());

            Files.createDirectories(root.resolve("later"));
            assertEquals(0, folder.rescan("later"));
            assertEquals(List.of("b", "a"), folder.identities());
            assertThrows(NoSuchFileException.class, () -> folder.rescan("missing"));
            assertThrows(ProtocolException.class, () -> folder.rescan("../b"));
        }
    }

    @Test
    @DisplayName("reads on four threads while another thread adds and rescans images all return the right bytes")
    void concurrentReadsAndRescans() throws Exception {
        for (int i = 0; i < 5; i++) {
            put("p", String.format("%03d.jpg", i), jpeg(i));
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try (ImageFolderSource folder = ImageFolderSource.open(root)) {
            AtomicBoolean adding = new AtomicBoolean(true);
            List<Future<Integer>> readers = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                readers.add(pool.submit(() -> {
                    int reads = 0;
                    // at least two full passes, and keep going until the writer is done
                    for (int pass = 0; pass < 2 || adding.get(); pass++) {
                        int count = folder.imageCount("p");
                        for (int i = 0; i < count; i++) {
                            assertArrayEquals(jpeg(i), folder.read("p", i).bytes());
                            reads++;
                        }
                    }
                    return reads;
                }));
            }
            for (int i = 5; i < 25; i++) {
                put("p", String.format("%03d.jpg", i), jpeg(i));
                assertEquals(1, folder.rescan("p"));
            }
            adding.set(false);
            for (Future<Integer> reader : readers) {
                assertTrue(reader.get() >= 10);
            }
            assertEquals(25, folder.imageCount("p"));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    @DisplayName("opening a root that is not a directory names it")
    void missingRoot() {
        Path missing = root.resolve("nope");
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> ImageFolderSource.open(missing));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
    }

    @Test
    @DisplayName("the writer stays inside the root and keeps images whose sample ids are unsafe or collide")
    void writerSanitisesNames() throws IOException {
        IdentitySource odd = new FixedSource("odd", List.of(
                new FaceImage("odd", "000001", ImageEncoding.JPEG, jpeg(0)),
                new FaceImage("odd", "../escape", ImageEncoding.JPEG, jpeg(1)),
                new FaceImage("odd", "Same", ImageEncoding.JPEG, jpeg(2)),
                new FaceImage("odd", "same", ImageEncoding.PNG, png())));
        assertEquals(4, ImageFolderWriter.write(odd, root));
        try (Stream<Path> files = Files.list(root.resolve("odd"))) {
            assertEquals(List.of("000001.jpg", "000001_.jpg", "000003.png", "Same.jpg"),
                    files.map(p -> p.getFileName().toString()).sorted().toList());
        }
        try (ImageFolderSource folder = ImageFolderSource.open(root)) {
            assertEquals(List.of("odd"), folder.identities());
            assertArrayEquals(jpeg(1), folder.read("odd", 1).bytes());
        }
    }

    /** A source over a fixed list of images of one identity, to feed the writer odd sample ids. */
    private record FixedSource(String identity, List<FaceImage> images) implements IdentitySource {
        @Override
        public List<String> identities() {
            return List.of(identity);
        }

        @Override
        public int imageCount(String id) {
            return images.size();
        }

        @Override
        public FaceImage read(String id, int index) {
            return images.get(index);
        }

        @Override
        public String describe() {
            return "fixed(" + identity + ")";
        }
    }

    private void put(String dir, String file, byte[] bytes) throws IOException {
        Path d = root.resolve(dir);
        Files.createDirectories(d);
        Files.write(d.resolve(file), bytes);
    }

    /** A distinct small JPEG for each {@code image}, the same every call. */
    private static byte[] jpeg(int image) {
        return Images.encodeJpeg(SyntheticFaces.render(5, 0, image, 32), 0.9f);
    }

    private static byte[] png() {
        return Images.encodePng(new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB));
    }
}
