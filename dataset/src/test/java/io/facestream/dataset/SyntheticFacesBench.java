package io.facestream.dataset;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * Measures render+encode throughput on one thread and the calibration figures of the default generator. Run by
 * hand (not a test: speed is never asserted):
 * {@code java -cp sampler/target/classes:sampler/target/test-classes:protocol/target/classes
 * io.facestream.dataset.SyntheticFacesBench}
 */
public final class SyntheticFacesBench {
    private SyntheticFacesBench() {
    }

    public static void main(String[] args) throws IOException {
        for (int size : new int[] {64, 112}) {
            SyntheticFaces src = new SyntheticFaces(SyntheticConfig.defaults().withSize(size));
            rate(src, 500);
            double[] perSecond = rate(src, 3000);
            System.out.printf("render+encode %dx%d: %.0f images/s wall, %.0f images per CPU-second, one thread%n",
                    size, size, perSecond[0], perSecond[1]);
        }
        SyntheticConfig defaults = SyntheticConfig.defaults();
        SyntheticFaces calibrationSet = new SyntheticFaces(defaults.withIdentities(0, 100));
        Calibration c = Calibration.measure(calibrationSet, 1000, 11);
        System.out.printf("calibration (%s, %d pairs): raw pixels %.3f, mean colour %.3f, centre colour %.3f,"
                + " aligned landmarks %.3f%n", calibrationSet.describe(), c.pairs(), c.rawPixels(), c.meanColour(),
                c.centreColour(), c.landmarks());
    }

    /** Images per wall-clock second and per second of this thread's CPU time (steadier on a shared machine). */
    private static double[] rate(SyntheticFaces src, int images) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long bytes = 0;
        long start = System.nanoTime();
        long cpuStart = threads.getCurrentThreadCpuTime();
        for (int i = 0; i < images; i++) {
            String id = src.identities().get(i % src.identities().size());
            bytes += src.read(id, i / src.identities().size() % src.config().imagesPerIdentity()).bytes().length;
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double cpuSeconds = (threads.getCurrentThreadCpuTime() - cpuStart) / 1e9;
        if (bytes == 0) {
            throw new IllegalStateException("no bytes produced");
        }
        return new double[] {images / seconds, images / cpuSeconds};
    }
}
