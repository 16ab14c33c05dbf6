package io.facestream.sampler.store;

import io.facestream.protocol.FaceImage;
import io.facestream.protocol.ImageEncoding;
import io.facestream.protocol.ProtocolException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class IdentityStoreTest {
    @TempDir
    Path root;

    private static FaceImage image(String identity, String sampleId, ImageEncoding encoding, byte[] bytes) {
        return new FaceImage(identity, sampleId, encoding, bytes);
    }

    @Test
    @DisplayName("an image is stored under the hex SHA-256 of its bytes; sent twice, in one batch or two, it is one file")
    void contentAddressed() throws IOException {
        try (IdentityStore store = IdentityStore.open(root)) {
            // SHA-256 of 01 02 03, as in the protocol README's worked example
            assertEquals("039058c6f2c0cb492c533b0a4d14ef77cc0f78abccced5287d84a1a2011cfb81.jpg",
                    IdentityStore.fileName(image("a", "a.jpg", ImageEncoding.JPEG, new byte[]{1, 2, 3})));
            byte[] jpegHead = {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, 7};
            FaceImage head = image("alice", "a.jpg", ImageEncoding.JPEG, jpegHead);
            String name = IdentityStore.fileName(head);
            StoreWrite first = store.put("alice", List.of(head, head));
            assertEquals(List.of(name), first.written());
            assertEquals(1, first.duplicates());
            StoreWrite again = store.put("alice", List.of(image("alice", "renamed.jpg", ImageEncoding.JPEG, jpegHead.clone())));
            assertEquals(0, again.added());
            assertEquals(1, again.duplicates());
            assertEquals(List.of(name), files(root.resolve("alice")));
            assertEquals(1, store.refresh("alice"));
            FaceImage back = store.images().read("alice", 0);
            assertArrayEquals(jpegHead, back.bytes());
            assertEquals(name.substring(0, 64), back.sampleId());
        }
    }

    @Test
    @DisplayName("random batches with repeats leave exactly the unique images, byte for byte, and no temporary file")
    void randomBatches() throws IOException {
        SplittableRandom rng = new SplittableRandom(5);
        List<byte[]> pool = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            byte[] b = new byte[1 + rng.nextInt(300)];
            for (int j = 0; j < b.length; j++) {
                b[j] = (byte) rng.nextInt(256);
            }
            pool.add(b);
        }
        Map<String, Map<String, byte[]>> expected = new HashMap<>();
        long added = 0;
        try (IdentityStore store = IdentityStore.open(root)) {
            for (int call = 0; call < 60; call++) {
                String identity = "id-" + rng.nextInt(4);
                List<FaceImage> batch = new ArrayList<>();
                for (int k = 0, n = 1 + rng.nextInt(6); k < n; k++) {
                    int which = rng.nextInt(pool.size());
                    byte[] bytes = pool.get(which);
                    ImageEncoding encoding = which % 2 == 0 ? ImageEncoding.JPEG : ImageEncoding.PNG;
                    batch.add(image(identity, "s" + k, encoding, bytes));
                    expected.computeIfAbsent(identity, x -> new HashMap<>())
                            .put(IdentityStore.fileName(batch.get(k)), bytes);
                }
                StoreWrite write = store.put(identity, batch);
                assertEquals(batch.size(), write.added() + write.duplicates());
                added += write.added();
            }
            long unique = expected.values().stream().mapToLong(Map::size).sum();
            assertEquals(unique, added, "each unique image written exactly once");
            for (var e : expected.entrySet()) {
                Path dir = root.resolve(e.getKey());
                assertEquals(e.getValue().keySet().stream().sorted().toList(), files(dir));
                for (var f : e.getValue().entrySet()) {
                    assertArrayEquals(f.getValue(), Files.readAllBytes(dir.resolve(f.getKey())));
                }
                assertEquals(e.getValue().size(), store.refresh(e.getKey()));
            }
        }
        try (Stream<Path> all = Files.walk(root)) {
            assertEquals(List.of(), all.filter(p -> p.getFileName().toString().startsWith(".")).toList());
        }
    }

    @Test
    @DisplayName("writers racing to store the same images leave one file each and count each image as added once")
    void concurrentWriters() throws Exception {
        List<FaceImage> batch = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            batch.add(image("bob", "b" + i, ImageEncoding.PNG, HexFormat.of().parseHex("89504e47" + String.format("%08x", i))));
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try (IdentityStore a = IdentityStore.open(root); IdentityStore b = IdentityStore.open(root)) {
            List<Callable<StoreWrite>> jobs = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                IdentityStore store = t % 2 == 0 ? a : b;
                jobs.add(() -> store.put("bob", batch));
            }
            int added = 0;
            for (Future<StoreWrite> f : pool.invokeAll(jobs)) {
                added += f.get().added();
            }
            assertEquals(20, added);
            assertEquals(20, files(root.resolve("bob")).size());
            assertEquals(20, b.refresh("bob"));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    @DisplayName("an identity id that is not a safe directory name is refused before anything is written")
    void badIdentity() throws IOException {
        try (IdentityStore store = IdentityStore.open(root)) {
            FaceImage img = image("x", "x", ImageEncoding.JPEG, new byte[]{1});
            assertThrows(ProtocolException.class, () -> store.put("../escape", List.of(img)));
            assertThrows(ProtocolException.class, () -> store.put(".hidden", List.of(img)));
            assertEquals(List.of(), store.listIdentities());
            assertEquals(0, store.refresh("nobody"));
        }
    }

    private static List<String> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }

    @Test
    @DisplayName("the temporary files a killed writer left are removed on taking the identity over; stored images stay")
    void removesOrphanedTemporaryFiles() throws IOException {
        try (IdentityStore store = IdentityStore.open(root)) {
            FaceImage image = image("alice", "a", ImageEncoding.PNG, new byte[]{(byte) 0x89, 'P', 'N', 'G', 1, 2});
            store.put("alice", List.of(image));
            String name = IdentityStore.fileName(image);
            Files.write(root.resolve("alice").resolve("." + name + ".0123abcd.tmp"), new byte[]{1, 2});
            assertEquals(1, store.removeOrphanedTemporaryFiles("alice"));
            try (Stream<Path> files = Files.list(root.resolve("alice"))) {
                assertEquals(List.of(name), files.map(p -> p.getFileName().toString()).toList());
            }
            assertEquals(0, store.removeOrphanedTemporaryFiles("alice"));
            assertEquals(0, store.removeOrphanedTemporaryFiles("nobody"));
        }
    }
}
