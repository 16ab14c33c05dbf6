package io.facestream.bench;

import io.facestream.dataset.Images;
import io.facestream.dataset.SyntheticFaces;
import io.facestream.protocol.FaceImage;
import io.facestream.protocol.ImageEncoding;
import io.facestream.trainer.data.ImageDecodeException;
import io.facestream.trainer.data.ImageDecoder;
import io.facestream.trainer.model.Normalisation;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import com.sun.management.OperatingSystemMXBean;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Images per second on one core of the trainer's decode + resize + normalise ({@link ImageDecoder#decodeInto} then
 * {@code (x - mean) * scale}, as {@code BatchPipeline} does before a batch goes to the network) at 64 and 112 px,
 * next to PIL doing the same to float32 on the same JPEG files ({@code bench/decode_pil.py}, run by this class as
 * a child process). The files are synthetic faces ({@link SyntheticFaces}) of {@code --source} pixels, written to
 * {@code bench/target/decode/faces}. Both sides run on one thread; each run reports images per wall second and
 * per CPU second of its process (the fairer figure on a shared machine; for Java it includes GC and JIT). Rounds alternate Java and PIL; the best
 * round of each counts.
 *
 * <p>Usage: {@code DecodeBench [--images 200] [--source 128] [--sizes 64,112] [--seconds 4] [--rounds 2]
 * [--python /usr/bin/python3]}; bench/decode.sh builds and runs it and prints the ROW lines.
 */
public final class DecodeBench {
    private static final Pattern RESULT = Pattern.compile("images_per_s=([\\d.]+) images_per_cpu_s=([\\d.]+)");

    private DecodeBench() {
    }

    public static void main(String[] args) throws Exception {
        int images = 200;
        int source = 128;
        List<Integer> sizes = List.of(64, 112);
        double seconds = 4;
        int rounds = 2;
        String python = "/usr/bin/python3";
        for (int i = 0; i < args.length; i += 2) {
            String v = args[i + 1];
            switch (args[i]) {
                case "--images" -> images = Integer.parseInt(v);
                case "--source" -> source = Integer.parseInt(v);
                case "--sizes" -> sizes = List.of(v.split(",")).stream().map(s -> Integer.parseInt(s.trim())).toList();
                case "--seconds" -> seconds = Double.parseDouble(v);
                case "--rounds" -> rounds = Integer.parseInt(v);
                case "--python" -> python = v;
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        Path dir = Files.createDirectories(Path.of("bench/target/decode/faces"));
        List<byte[]> files = write(dir, images, source);
        long bytes = files.stream().mapToLong(b -> b.length).sum();
        System.out.printf("decode bench: %d synthetic faces of %dx%d (JPEG q%.0f, mean %d bytes) in %s, %d s per run, "
                        + "%d rounds, load average %s%n", images, source, source, SyntheticFaces.JPEG_QUALITY * 100,
                bytes / images, dir, (int) seconds, rounds, ServingBench.loadAverage());
        List<String> rows = new ArrayList<>();
        for (int size : sizes) {
            double[] bestJava = {0, 0};
            double[] bestPil = {0, 0};
            for (int round = 1; round <= rounds; round++) {
                double[] java = java(files, size, seconds);
                double[] pil = pil(python, dir, size, seconds);
                System.out.printf("%dpx round %d: Java %.0f images/s (%.0f per CPU-s), PIL %.0f images/s (%.0f per "
                                + "CPU-s); load average %s%n", size, round, java[0], java[1], pil[0], pil[1],
                        ServingBench.loadAverage());
                bestJava = java[1] > bestJava[1] ? java : bestJava;
                bestPil = pil[1] > bestPil[1] ? pil : bestPil;
            }
            rows.add(String.format(Locale.ROOT, "ROW decode+resize+normalise %dpx from %dpx JPEG, images per CPU-second "
                            + "of one decoding thread (wall: Java %.0f, PIL %.0f) | %.0f | %.0f | %.2f | >= 1.0", size, source,
                    bestJava[0], bestPil[0], bestJava[1], bestPil[1], bestJava[1] / bestPil[1]));
        }
        System.out.println();
        rows.forEach(System.out::println);
    }

    private static List<byte[]> write(Path dir, int images, int source) throws IOException {
        List<byte[]> out = new ArrayList<>();
        try (var old = Files.list(dir)) {
            for (Path p : old.toList()) {
                Files.delete(p);
            }
        }
        for (int i = 0; i < images; i++) {
            // a different identity and pose for each file, so no two decode alike
            byte[] jpeg = Images.encodeJpeg(SyntheticFaces.render(11, i % 50, i / 50, source),
                    SyntheticFaces.JPEG_QUALITY);
            Files.write(dir.resolve(String.format("face-%04d.jpg", i)), jpeg);
            out.add(jpeg);
        }
        return out;
    }

    /** {images per wall second, images per CPU second} of the trainer's path on this thread. */
    private static double[] java(List<byte[]> files, int size, double seconds) throws ImageDecodeException {
        ImageDecoder decoder = new ImageDecoder(size, 4096 * 4096);
        List<FaceImage> images = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            images.add(new FaceImage("bench", Integer.toString(i), ImageEncoding.JPEG, files.get(i)));
        }
        int floats = 3 * size * size;
        float[] out = new float[floats];
        double sink = 0;
        // warm-up: a second of the same work, so the JIT has compiled the path before it is timed
        long warm = System.nanoTime() + 1_000_000_000L;
        for (int i = 0; System.nanoTime() < warm; i++) {
            sink += one(decoder, images.get(i % images.size()), out);
        }
        // the whole process's CPU time: the decoding thread plus what the JVM spends for it (GC, JIT)
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long cpu0 = os.getProcessCpuTime();
        long start = System.nanoTime();
        long deadline = start + (long) (seconds * 1e9);
        long n = 0;
        long now;
        do {
            for (FaceImage image : images) {
                sink += one(decoder, image, out);
                n++;
            }
            now = System.nanoTime();
        } while (now < deadline);
        double cpu = (os.getProcessCpuTime() - cpu0) / 1e9;
        if (Double.isNaN(sink)) {
            throw new IllegalStateException("decoded NaN");
        }
        return new double[] {n / ((now - start) / 1e9), n / cpu};
    }

    /** Decode, resize and normalise one image, as the trainer's data pipeline does; returns a value to keep. */
    private static float one(ImageDecoder decoder, FaceImage image, float[] out) throws ImageDecodeException {
        decoder.decodeInto(image, out, 0);
        for (int j = 0; j < out.length; j++) {
            out[j] = (out[j] - Normalisation.MEAN) * Normalisation.SCALE;
        }
        return out[out.length / 2];
    }

    private static double[] pil(String python, Path dir, int size, double seconds) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(python, "bench/decode_pil.py", dir.toString(), Integer.toString(size),
                Double.toString(seconds), Float.toString(Normalisation.MEAN), Float.toString(Normalisation.SCALE));
        pb.environment().put("OMP_NUM_THREADS", "1");
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String result = null;
        StringBuilder all = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                all.append(line).append('\n');
                if (line.startsWith("RESULT")) {
                    result = line;
                }
            }
        }
        int rc = p.waitFor();
        Matcher m = result == null ? null : RESULT.matcher(result);
        if (rc != 0 || m == null || !m.find()) {
            throw new IllegalStateException("decode_pil.py failed (exit " + rc + "): " + all);
        }
        return new double[] {Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2))};
    }
}
