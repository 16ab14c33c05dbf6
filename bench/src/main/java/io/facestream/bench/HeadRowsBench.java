package io.facestream.bench;

import io.facestream.trainer.head.ClassHead;
import io.facestream.trainer.loss.LossKind;
import io.facestream.trainer.mesh.HeadRowsExchange;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * What the mesh's class-row exchange ({@code trainer.mesh.foreignRowsEvery}) costs a replica at many classes: each
 * of {@code --replicas} replicas holds {@code classes / replicas} rows; one exchange is this replica writing its file
 * and reading the others' into its head. Prints the file size, the write, the read-and-hold, and the memory the
 * foreign rows take, each time next to the reference: the same number of bytes written to, and read back from, a file
 * as one buffer in the same process (what the file system alone costs).
 *
 * <p>Usage: {@code HeadRowsBench [--classes 10000,100000,1000000] [--dim 128] [--replicas 2] [--dir DIR]
 * [--repeats 3]}. The files go to {@code DIR} (default a temporary folder, removed after).
 */
public final class HeadRowsBench {
    private HeadRowsBench() {
    }

    public static void main(String[] args) throws IOException {
        int[] sizes = {10_000, 100_000, 1_000_000};
        int dim = 128;
        int replicas = 2;
        int repeats = 3;
        Path dir = null;
        for (int i = 0; i + 1 < args.length; i += 2) {
            String v = args[i + 1];
            switch (args[i]) {
                case "--classes" -> sizes = Arrays.stream(v.split(",")).mapToInt(Integer::parseInt).toArray();
                case "--dim" -> dim = Integer.parseInt(v);
                case "--replicas" -> replicas = Integer.parseInt(v);
                case "--repeats" -> repeats = Integer.parseInt(v);
                case "--dir" -> dir = Path.of(v);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        boolean temporary = dir == null;
        Path root = temporary ? Files.createTempDirectory("head-rows-bench") : dir;
        System.out.printf(Locale.ROOT, "D=%d, %d replicas, softmax rows, files in %s%n", dim, replicas, root);
        try {
            for (int classes : sizes) {
                run(root.resolve("c" + classes), classes, dim, replicas, repeats);
            }
        } finally {
            if (temporary) {
                try (Stream<Path> all = Files.walk(root)) {
                    for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(p);
                    }
                }
            }
        }
    }

    private static void run(Path dir, int classes, int dim, int replicas, int repeats) throws IOException {
        int per = classes / replicas;
        List<HeadRowsExchange> exchanges = new ArrayList<>();
        List<ClassHead> heads = new ArrayList<>();
        try {
            for (int r = 0; r < replicas; r++) {
                ClassHead head = filled(r, per, dim);
                heads.add(head);
                HeadRowsExchange e = new HeadRowsExchange(dir, "10.0.0." + r + ":40123", "bench", 1, Long.MAX_VALUE);
                exchanges.add(e);
                e.publish(head, 0);
            }
            double[] write = new double[repeats];
            double[] read = new double[repeats];
            int held = 0;
            for (int i = 0; i < repeats; i++) {
                long t0 = System.nanoTime();
                exchanges.get(0).publish(heads.get(0), i + 1);
                long t1 = System.nanoTime();
                held = exchanges.get(0).collect(heads.get(0));
                long t2 = System.nanoTime();
                write[i] = (t1 - t0) / 1e6;
                read[i] = (t2 - t1) / 1e6;
            }
            Arrays.sort(write);
            Arrays.sort(read);
            long bytes = Files.size(exchanges.get(0).file());
            // the reference: the same bytes written to and read from a file as one buffer, in this process
            double[] rawWrite = new double[repeats];
            double[] rawRead = new double[repeats];
            Path raw = dir.resolve("raw.bin");
            ByteBuffer buffer = ByteBuffer.allocateDirect(Math.toIntExact(bytes));
            for (int i = 0; i < repeats; i++) {
                buffer.clear();
                long t0 = System.nanoTime();
                try (FileChannel ch = FileChannel.open(raw, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        StandardOpenOption.TRUNCATE_EXISTING)) {
                    while (buffer.hasRemaining()) {
                        ch.write(buffer);
                    }
                }
                long t1 = System.nanoTime();
                buffer.clear();
                for (int f = 1; f < replicas; f++) {
                    buffer.clear();
                    try (FileChannel ch = FileChannel.open(raw, StandardOpenOption.READ)) {
                        while (buffer.hasRemaining() && ch.read(buffer) >= 0) {
                            // read it all
                        }
                    }
                }
                long t2 = System.nanoTime();
                rawWrite[i] = (t1 - t0) / 1e6;
                rawRead[i] = (t2 - t1) / 1e6;
            }
            Files.delete(raw);
            Arrays.sort(rawWrite);
            Arrays.sort(rawRead);
            double w = write[repeats / 2];
            double r = read[repeats / 2];
            double rw = rawWrite[repeats / 2];
            double rr = rawRead[repeats / 2];
            System.out.printf(Locale.ROOT, "%,d classes (%,d a replica): file %.1f MB; write %.0f ms (raw %.0f ms, "
                            + "%.1fx), read %d files and hold %,d classes %.0f ms (raw reads %.0f ms, %.1fx); medians "
                            + "of %d; foreign rows %.1f MB in memory%n",
                    classes, per, bytes / 1e6, w, rw, w / Math.max(rw, 1e-3), replicas - 1, held, r, rr,
                    r / Math.max(rr, 1e-3), repeats, (double) held * (dim + 1) * 4 / 1e6);
        } finally {
            heads.forEach(ClassHead::close);
        }
    }

    /** A softmax head of {@code n} classes with random rows, as a replica's shard. */
    private static ClassHead filled(int replica, int n, int dim) {
        List<String> ids = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            ids.add("r" + replica + "-id" + i);
        }
        List<INDArray> state = new ArrayList<>();
        for (int k = 0; k < 3; k++) {
            state.add(Nd4j.rand(DataType.FLOAT, n, dim));
        }
        for (int k = 0; k < 3; k++) {
            state.add(Nd4j.rand(DataType.FLOAT, n));
        }
        try {
            return ClassHead.restore(new ClassHead.Settings(LossKind.SOFTMAX, dim, 64, 0, 1_000_000, 0.1, 1),
                    DataType.FLOAT, ids, 1, state);
        } finally {
            state.forEach(INDArray::close); // restore copied them into the head's own arrays
        }
    }
}
