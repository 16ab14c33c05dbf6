package io.facestream.trainer.model;

import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Future;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The per-channel passes of {@link ChannelBatchNorm} and {@link ChannelPReLU} over float NCHW arrays, written in
 * Java so that each layer reads and writes its activations as few times as the arithmetic needs: batch norm's
 * statistics in one read, its output in one read and one write (with the ReLU), its backward pass in two reads (the
 * sums) plus two reads and a write ({@code dx}); PReLU forward and backward in one pass each. The ND4J ops they
 * replace take one pass per operation (a batch-norm forward with PReLU was eleven passes over the activations,
 * its backward about fifteen). An array is viewed as {@code R = N*C} rows of {@code S = H*W} contiguous values;
 * row {@code r} belongs to channel {@code r % C}. Rows are split over {@link #THREADS} threads, copied through
 * small heap buffers so that the JIT compiles the inner loops to vector code.
 *
 * <p>Why, measured on the Intel machine of docs/PERFORMANCE.md (2026-12-07, {@code [96, 128, 56, 56]}, 2 threads,
 * a test build running beside it): the statistics 34-41 ms against 68-97 for the GEMV row sums and row dot
 * products, the normalisation with PReLU 37-50 ms against 123-152 for the four ND4J passes, identical outputs. In
 * a whole step the gain is smaller than these passes suggest (the arrays of a step are in reused workspace memory,
 * the micro-benchmark's were too); what it bought together with {@link DepthwiseKernels} is in PERFORMANCE.md.
 *
 * <p>Only float arrays in C order with default strides whose bytes fit one NIO buffer take this path
 * ({@link #applies}); the layers keep their ND4J passes for anything else (double precision included, which their
 * gradient checks use).
 */
final class ChannelKernels {
    /** Threads of the passes: ND4J's own thread count (OMP_NUM_THREADS), at least 1. */
    static final int THREADS = Math.max(1, Nd4j.getEnvironment().maxThreads());
    /** Below this many values a pass runs on the calling thread alone. */
    private static final long PARALLEL_FROM = 1 << 16;
    private static final boolean ON_CPU = "cpu".equals(ComputeBackend.current().backend());
    /** The bits of {@code 1f}. */
    private static final int ONE_BITS = Float.floatToRawIntBits(1f);
    /** Values per heap buffer (whole rows, at least one). */
    private static final int CHUNK = 4096;
    private static final ForkJoinPool POOL = new ForkJoinPool(THREADS, pool -> {
        var thread = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
        thread.setName("facestream-channel-kernels-" + thread.getPoolIndex());
        thread.setDaemon(true);
        return thread;
    }, null, false);

    private ChannelKernels() {
    }

    /**
     * Whether this process computes on the CPU (on the CUDA backend an array's values live on the GPU) and every
     * array is float, C order with default strides, and its bytes fit one NIO buffer.
     */
    static boolean applies(INDArray... arrays) {
        if (!ON_CPU) {
            return false;
        }
        for (INDArray a : arrays) {
            if (a.dataType() != DataType.FLOAT || a.ordering() != 'c' || !Shape.hasDefaultStridesForShape(a)
                    || (a.offset() + a.length()) * Float.BYTES > Integer.MAX_VALUE) {
                return false;
            }
        }
        return true;
    }

    /** A work range of rows {@code [from, to)}. */
    interface RowTask {
        void run(int from, int to);
    }

    /** Runs {@code task} over rows {@code [0, rows)} of {@code s} values, split over the threads. */
    static void forRows(int rows, long s, RowTask task) {
        if (THREADS == 1 || rows < 2 || (long) rows * s < PARALLEL_FROM) {
            task.run(0, rows);
            return;
        }
        int parts = Math.min(rows, THREADS);
        List<Callable<Void>> work = new ArrayList<>(parts);
        for (int p = 0; p < parts; p++) {
            int from = (int) ((long) rows * p / parts);
            int to = (int) ((long) rows * (p + 1) / parts);
            work.add(() -> {
                task.run(from, to);
                return null;
            });
        }
        try {
            for (Future<Void> f : POOL.invokeAll(work)) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted in a channel pass", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
    }

    /** The array's values as a float buffer; index {@code offset(a) + i} is its {@code i}-th value. */
    static FloatBuffer floats(INDArray a) {
        return a.data().asNio().order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    static int offset(INDArray a) {
        return (int) a.offset();
    }

    /** What a pass does with one chunk of whole rows, copied into heap buffers. */
    private interface Chunk {
        /**
         * Rows {@code first .. first + count - 1}, row {@code j} of the chunk at {@code j * len} in {@code a} (and in
         * {@code b} when the pass reads a second array); when the pass writes an array, {@code a} is written to it
         * afterwards.
         */
        void apply(float[] a, float[] b, int first, int count, int len);
    }

    /**
     * Streams the rows of {@code s} values of {@code first} (and of {@code second} unless null) through heap
     * buffers, split over the threads, and writes the first buffer to {@code out} unless null.
     */
    private static void stream(INDArray first, INDArray second, INDArray out, long s, Chunk chunk) {
        FloatBuffer aIn = floats(first);
        FloatBuffer bIn = second == null ? null : floats(second);
        FloatBuffer dst = out == null ? null : floats(out);
        int aBase = offset(first);
        int bBase = second == null ? 0 : offset(second);
        int outBase = out == null ? 0 : offset(out);
        int len = (int) s;
        int per = (int) Math.max(1, CHUNK / s);
        forRows((int) (first.length() / s), s, (from, to) -> {
            float[] a = new float[per * len];
            float[] b = bIn == null ? null : new float[per * len];
            for (int r = from; r < to; r += per) {
                int count = Math.min(per, to - r);
                aIn.get(aBase + r * len, a, 0, count * len);
                if (bIn != null) {
                    bIn.get(bBase + r * len, b, 0, count * len);
                }
                chunk.apply(a, b, r, count, len);
                if (dst != null) {
                    dst.put(outBase + r * len, a, 0, count * len);
                }
            }
        });
    }

    /** Per row: {@code [0]} the sum and {@code [1]} the sum of squares of its {@code s} values. */
    static double[][] rowSumsAndSquares(INDArray x, int rows, long s) {
        double[] sums = new double[rows];
        double[] squares = new double[rows];
        stream(x, null, null, s, (buf, unused, first, count, len) -> {
            for (int j = 0; j < count; j++) {
                sumAndDot(buf, buf, j * len, len, sums, squares, first + j);
            }
        });
        return new double[][] {sums, squares};
    }

    /**
     * {@code sums[row] = sum a[i]} and {@code dots[row] = sum a[i] b[i]} over {@code i} in {@code [from, from + len)},
     * in four running sums of each (independent additions: one running sum waits on each addition before the next).
     */
    private static void sumAndDot(float[] a, float[] b, int from, int len, double[] sums, double[] dots, int row) {
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0, d0 = 0, d1 = 0, d2 = 0, d3 = 0;
        int i = from;
        int end = from + len;
        for (; i + 3 < end; i += 4) {
            float a0 = a[i], a1 = a[i + 1], a2 = a[i + 2], a3 = a[i + 3];
            s0 += a0;
            s1 += a1;
            s2 += a2;
            s3 += a3;
            d0 += a0 * b[i];
            d1 += a1 * b[i + 1];
            d2 += a2 * b[i + 2];
            d3 += a3 * b[i + 3];
        }
        for (; i < end; i++) {
            s0 += a[i];
            d0 += a[i] * b[i];
        }
        sums[row] = (double) s0 + s1 + s2 + s3;
        dots[row] = (double) d0 + d1 + d2 + d3;
    }

    /** {@code y = x scale_c + shift_c}, then ReLU when {@code relu}. */
    static void affine(INDArray x, INDArray y, int channels, long s, float[] scale, float[] shift, boolean relu) {
        stream(x, null, y, s, (buf, unused, first, count, len) -> {
            for (int j = 0; j < count; j++) {
                int c = (first + j) % channels;
                float a = scale[c];
                float b = shift[c];
                int o = j * len;
                if (relu) {
                    for (int i = o; i < o + len; i++) {
                        buf[i] = Math.max(buf[i] * a + b, 0f);
                    }
                } else {
                    for (int i = o; i < o + len; i++) {
                        buf[i] = buf[i] * a + b;
                    }
                }
            }
        });
    }

    /**
     * Per row, with {@code g} the gradient at the batch norm's output ({@code e}, masked by ReLU where
     * {@code x scale_c + shift_c <= 0} when {@code relu}): {@code [0]} the sum of {@code g} and {@code [1]} the sum of
     * {@code g x}.
     */
    static double[][] batchNormGradientSums(INDArray e, INDArray x, int channels, long s, float[] scale,
                                            float[] shift, boolean relu) {
        int rows = (int) (x.length() / s);
        double[] sums = new double[rows];
        double[] products = new double[rows];
        stream(e, x, null, s, (eb, xb, first, count, len) -> {
            float[] g = relu ? scratch(count * len) : eb;
            for (int j = 0; j < count; j++) {
                int o = j * len;
                if (relu) {
                    int c = (first + j) % channels;
                    float a = scale[c];
                    float b = shift[c];
                    for (int i = o; i < o + len; i++) {
                        g[i] = xb[i] * a + b <= 0f ? 0f : eb[i];
                    }
                }
                sumAndDot(g, xb, o, len, sums, products, first + j);
            }
        });
        return new double[][] {sums, products};
    }

    /** {@code dx = ga_c g + gb_c x + gk_c}, with {@code g} as in {@link #batchNormGradientSums}. */
    static void batchNormInputGradient(INDArray e, INDArray x, INDArray dx, int channels, long s, float[] scale,
                                       float[] shift, boolean relu, float[] ga, float[] gb, float[] gk) {
        stream(e, x, dx, s, (eb, xb, first, count, len) -> {
            for (int j = 0; j < count; j++) {
                int c = (first + j) % channels;
                float a = scale[c];
                float b = shift[c];
                float fa = ga[c];
                float fb = gb[c];
                float fk = gk[c];
                int o = j * len;
                if (relu) {
                    for (int i = o; i < o + len; i++) {
                        float xi = xb[i];
                        float g = xi * a + b <= 0f ? 0f : eb[i];
                        eb[i] = fa * g + fb * xi + fk;
                    }
                } else {
                    for (int i = o; i < o + len; i++) {
                        eb[i] = fa * eb[i] + fb * xb[i] + fk;
                    }
                }
            }
        });
    }

    /** {@code y = max(x, 0) + slope_c min(x, 0)}. */
    static void prelu(INDArray x, INDArray y, int channels, long s, float[] slopes) {
        stream(x, null, y, s, (buf, unused, first, count, len) -> {
            for (int j = 0; j < count; j++) {
                float a = slopes[(first + j) % channels];
                int o = j * len;
                for (int i = o; i < o + len; i++) {
                    float v = buf[i];
                    buf[i] = Math.max(v, 0f) + a * Math.min(v, 0f);
                }
            }
        });
    }

    /** A heap buffer per thread, grown as needed ({@link #scratch}). */
    private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[CHUNK]);

    /** This thread's scratch buffer, at least {@code length} long. */
    private static float[] scratch(int length) {
        float[] buffer = SCRATCH.get();
        if (buffer.length < length) {
            buffer = new float[length];
            SCRATCH.set(buffer);
        }
        return buffer;
    }

    /** The sum of {@code values[from .. from + len - 1]}, in eight running sums (independent additions). */
    static double sum(float[] values, int from, int len) {
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
        int i = from;
        int end = from + len;
        for (; i + 7 < end; i += 8) {
            s0 += values[i];
            s1 += values[i + 1];
            s2 += values[i + 2];
            s3 += values[i + 3];
            s4 += values[i + 4];
            s5 += values[i + 5];
            s6 += values[i + 6];
            s7 += values[i + 7];
        }
        for (; i < end; i++) {
            s0 += values[i];
        }
        return ((double) s0 + s1 + s2 + s3) + ((double) s4 + s5 + s6 + s7);
    }

    /**
     * PReLU's backward pass: {@code dx = e} where {@code x > 0}, else {@code slope_c e}; returns per row the sum of
     * {@code e min(x, 0)} (the slope's gradient, before summing the rows of a channel).
     */
    static double[] preluBackward(INDArray x, INDArray e, INDArray dx, int channels, long s, float[] slopes) {
        double[] dots = new double[(int) (x.length() / s)];
        stream(e, x, dx, s, (eb, xb, first, count, len) -> {
            float[] products = scratch(count * len);
            for (int j = 0; j < count; j++) {
                float a = slopes[(first + j) % channels];
                int o = j * len;
                int slopeBits = Float.floatToRawIntBits(a);
                for (int i = o; i < o + len; i++) {
                    // the slope's gradient's products, summed below: a loop that summed them in place (two
                    // running sums) took 1.3-1.4 ns a value, Math.min and the sums unvectorised; stored and summed
                    // apart (eight running sums), 0.37
                    products[i] = eb[i] * Math.min(xb[i], 0f);
                    // the factor 1 or a chosen without a branch (the signs are random, so a branch mispredicts
                    // half the time: 135-210 ms against 67-70 at [96, 128, 56, 56]): the bits of x as an int are
                    // positive exactly when x > 0 (+0 is 0, negatives and -0 have the sign bit), so mask is all
                    // ones for x > 0, else 0
                    int bits = Float.floatToRawIntBits(xb[i]);
                    int mask = ((-bits) & ~bits) >> 31;
                    eb[i] *= Float.intBitsToFloat((ONE_BITS & mask) | (slopeBits & ~mask));
                }
                dots[first + j] = sum(products, o, len);
            }
        });
        return dots;
    }
}
