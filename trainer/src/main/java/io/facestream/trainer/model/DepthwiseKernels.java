package io.facestream.trainer.model;

import java.nio.FloatBuffer;
import java.util.concurrent.ConcurrentLinkedQueue;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A depthwise convolution (one {@code k x k} filter per channel, depth multiplier 1, no dilation) over float
 * NCHW arrays in Java, forward (with a bias, for a folded inference graph) and backward, one image plane at a time:
 * the plane is copied into a zero-padded heap buffer so the inner loops run over contiguous memory without bounds
 * checks. At stride 1 each filter tap is one loop over the whole plane; the backward pass computes the input's and
 * the weights' gradients in the same sweep over the planes. Planes are split over {@link ChannelKernels#THREADS}
 * threads; in the backward pass at stride 1 on planes of {@link #COPY_FROM} outputs or more, channels are.
 *
 * <p>For the JIT (JDK 17's C2) to compile a tap's loop to vector code, every array in it must be read at the
 * loop's own index: a loop {@code wide[j] += w * pad[j + shift]} with {@code shift} a variable ran unvectorised,
 * 0.33-0.42 ns per multiply-add against 0.05 for {@code wide[j] += w * pad[j]} (one thread, this machine's
 * AVX-512; the JIT cannot rule out that both names are one array at a distance shorter than a vector). So at stride
 * 1 each tap first copies its window of the padded plane to index 0 ({@code System.arraycopy}, a vectorised
 * intrinsic) and then runs the equal-index loop: 0.075 ns per multiply-add with the copy. On MOBILEFACENET's
 * planes at batch 96 (2 threads) that took the forward pass from 37.8 to 19.2 ms at 56x56 and the backward pass,
 * rewritten the same way ({@link #backwardUnitStride}), from 91-95 to 46-47 ms.
 *
 * <p>Why: through DL4J 1.0.0-M2.1 each depthwise call converts its NCHW arrays to oneDNN's blocked layout and back
 * (input, output, and in the backward pass the output's gradient and the input's), each copy into freshly
 * allocated memory. In a MOBILEFACENET training step on the Intel machine of docs/PERFORMANCE.md, the depthwise
 * layers' native calls held about 40 % of the trainer thread's native samples (JFR), though oneDNN's own depthwise
 * work was about 0.1 s of a 5.5 s step ({@code DNNL_VERBOSE=1}).
 *
 * @param n      images
 * @param c      channels
 * @param h      input height
 * @param w      input width
 * @param k      kernel size (square)
 * @param stride stride (both axes)
 * @param top    padding above
 * @param left   padding on the left
 * @param outH   output height
 * @param outW   output width
 */
record DepthwiseKernels(int n, int c, int h, int w, int k, int stride, int top, int left, int outH, int outW) {
    /**
     * Output positions per plane from which stride-1 taps go through a copy to index 0 (class documentation). On
     * smaller planes the copies and the vector loops' set-up cost more than they save: at 7x7, batch 96 and 256
     * channels the forward pass took 6.9 ms with them against 3.7 without, the backward pass 17.2 against 9.5; at
     * 14x14 6.8 against 10.5 and 14.9 against 28.2.
     */
    static final int COPY_FROM = 100;

    /** Rows of the padded input plane: every input row the output reads. */
    private int padH() {
        return Math.max(h + top, (outH - 1) * stride + k);
    }

    private int padW() {
        return Math.max(w + left, (outW - 1) * stride + k);
    }

    /** An array's planes of {@code len} values: plane {@code p} at {@code base + p * len} of {@code buf}. */
    private record Planes(FloatBuffer buf, int base, int len) {
        Planes(INDArray a, int len) {
            this(ChannelKernels.floats(a), ChannelKernels.offset(a), len);
        }

        void read(int p, float[] dst) {
            buf.get(base + p * len, dst, 0, len);
        }

        void write(int p, float[] src) {
            buf.put(base + p * len, src, 0, len);
        }
    }

    /** The input plane {@code raw} into the interior of the zero-bordered {@code pad} of row pitch {@code pw}. */
    private void pad(float[] raw, float[] pad, int pw) {
        for (int r = 0; r < h; r++) {
            System.arraycopy(raw, r * w, pad, (r + top) * pw + left, w);
        }
    }

    /**
     * The filters of DL4J's weights {@code [k, k, c, 1]} (C order) as {@code [c][k*k]}.
     */
    float[][] filters(INDArray weights) {
        float[] all = weights.reshape(weights.length()).toFloatVector();
        float[][] out = new float[c][k * k];
        for (int t = 0; t < k * k; t++) {
            for (int ch = 0; ch < c; ch++) {
                out[ch][t] = all[t * c + ch];
            }
        }
        return out;
    }

    /**
     * {@code y = depthwise(x)} (+ {@code bias} per channel unless null): {@code x} is {@code [n, c, h, w]}, {@code y}
     * {@code [n, c, outH, outW]}.
     */
    void forward(INDArray x, float[][] filters, float[] bias, INDArray y) {
        Planes in = new Planes(x, h * w);
        Planes out = new Planes(y, outH * outW);
        int pw = padW();
        ChannelKernels.forRows(n * c, (long) h * w, (from, to) -> {
            float[] raw = new float[h * w];
            float[] pad = new float[padH() * pw];
            float[] o = new float[outH * outW];
            // stride 1: outH rows of the padded pitch, the last one only outW long (reads stay inside pad)
            int span = (outH - 1) * pw + outW;
            float[] wide = stride == 1 ? new float[span] : null;
            boolean copyTaps = stride == 1 && outH * outW >= COPY_FROM;
            float[] shifted = copyTaps ? new float[span] : null;
            for (int p = from; p < to; p++) {
                in.read(p, raw);
                pad(raw, pad, pw);
                float[] f = filters[p % c];
                if (stride == 1) {
                    // the output on the padded plane's row pitch (pw - outW columns of each row unused), so that
                    // each filter tap is one long loop over the plane
                    java.util.Arrays.fill(wide, 0, span, bias == null ? 0f : bias[p % c]);
                    for (int ky = 0; ky < k; ky++) {
                        for (int kx = 0; kx < k; kx++) {
                            float wt = f[ky * k + kx];
                            // the tap's window copied to index 0 first: a loop reading pad[j + shift] with the
                            // shift unknown to the JIT ran unvectorised, 4-5x slower than the copy and a loop
                            // over equal indices (DepthwiseKernels' class documentation)
                            int shift = ky * pw + kx;
                            if (!copyTaps) {
                                for (int j = 0; j < span; j++) {
                                    wide[j] += wt * pad[j + shift];
                                }
                                continue;
                            }
                            System.arraycopy(pad, shift, shifted, 0, span);
                            for (int j = 0; j < span; j++) {
                                wide[j] += wt * shifted[j];
                            }
                        }
                    }
                    for (int oy = 0; oy < outH; oy++) {
                        System.arraycopy(wide, oy * pw, o, oy * outW, outW);
                    }
                    out.write(p, o);
                    continue;
                }
                // stride 2 and more: each output row, tap by tap
                java.util.Arrays.fill(o, bias == null ? 0f : bias[p % c]);
                for (int t = 0; t < k * k; t++) {
                    float wt = f[t];
                    for (int oy = 0; oy < outH; oy++) {
                        int base = (oy * stride + t / k) * pw + t % k;
                        for (int ox = 0; ox < outW; ox++) {
                            o[oy * outW + ox] += wt * pad[base + ox * stride];
                        }
                    }
                }
                out.write(p, o);
            }
        });
    }

    /**
     * The gradients for {@code g} at the output: {@code dx} (same shape as {@code x}) is written, and the weights'
     * gradient is returned as {@code [c][k*k]} (summed over the images).
     */
    double[][] backward(INDArray x, float[][] filters, INDArray g, INDArray dx) {
        if (stride == 1 && outH * outW >= COPY_FROM) {
            return backwardUnitStride(x, filters, g, dx);
        }
        Planes xIn = new Planes(x, h * w);
        Planes gIn = new Planes(g, outH * outW);
        Planes out = new Planes(dx, h * w);
        int pw = padW();
        ConcurrentLinkedQueue<double[][]> partials = new ConcurrentLinkedQueue<>();
        ChannelKernels.forRows(n * c, (long) h * w, (from, to) -> {
            float[] raw = new float[h * w];
            float[] pad = new float[padH() * pw];
            float[] dpad = new float[pad.length];
            float[] go = new float[outH * outW];
            float[][] acc = new float[k * k][outW];
            double[][] dw = new double[c][k * k];
            for (int p = from; p < to; p++) {
                xIn.read(p, raw);
                gIn.read(p, go);
                pad(raw, pad, pw);
                java.util.Arrays.fill(dpad, 0f);
                for (float[] a : acc) {
                    java.util.Arrays.fill(a, 0f);
                }
                float[] f = filters[p % c];
                for (int oy = 0; oy < outH; oy++) {
                    int orow = oy * outW;
                    for (int ky = 0; ky < k; ky++) {
                        int prow = (oy * stride + ky) * pw;
                        for (int kx = 0; kx < k; kx++) {
                            float wt = f[ky * k + kx];
                            float[] a = acc[ky * k + kx];
                            int base = prow + kx;
                            if (stride == 1) {
                                for (int ox = 0; ox < outW; ox++) {
                                    float gv = go[orow + ox];
                                    dpad[base + ox] += wt * gv;
                                    a[ox] += gv * pad[base + ox];
                                }
                            } else {
                                for (int ox = 0; ox < outW; ox++) {
                                    float gv = go[orow + ox];
                                    dpad[base + ox * stride] += wt * gv;
                                    a[ox] += gv * pad[base + ox * stride];
                                }
                            }
                        }
                    }
                }
                for (int r = 0; r < h; r++) {
                    System.arraycopy(dpad, (r + top) * pw + left, raw, r * w, w);
                }
                out.write(p, raw);
                double[] d = dw[p % c];
                for (int t = 0; t < k * k; t++) {
                    float sum = 0;
                    for (float v : acc[t]) {
                        sum += v;
                    }
                    d[t] += sum;
                }
            }
            partials.add(dw);
        });
        double[][] total = new double[c][k * k];
        for (double[][] part : partials) {
            for (int ch = 0; ch < c; ch++) {
                for (int t = 0; t < k * k; t++) {
                    total[ch][t] += part[ch][t];
                }
            }
        }
        return total;
    }

    /**
     * {@link #backward} at stride 1, channel by channel, each filter tap as loops over whole planes with equal
     * indices on both sides (which the JIT vectorises; see the class documentation):
     * <ul>
     *   <li>the input's gradient is the adjoint of the forward pass's {@code wide[j] += w_t pad[j + shift_t]}:
     *       {@code dpad[q] = sum_t w_t g[q - shift_t]}, read from a copy of the output's gradient on the padded
     *       row pitch that starts {@code maxShift} zeros in ({@code gbig}), so each tap is a copy of
     *       {@code gbig} from {@code maxShift - shift_t} and one multiply-add loop;</li>
     *   <li>the weight's gradient {@code sum_j g[j] pad[j + shift_t]}: per position products {@code acc_t[j]}
     *       summed over all the images of a channel, added up once per channel.</li>
     * </ul>
     * Channels are split over the threads, so each owns its weight gradients.
     */
    private double[][] backwardUnitStride(INDArray x, float[][] filters, INDArray g, INDArray dx) {
        Planes xIn = new Planes(x, h * w);
        Planes gIn = new Planes(g, outH * outW);
        Planes out = new Planes(dx, h * w);
        int pw = padW();
        int span = (outH - 1) * pw + outW;
        int taps = k * k;
        int maxShift = (k - 1) * pw + k - 1;
        // padded-plane positions a tap writes (within padH() * pw: padH >= outH + k - 1, pw >= outW + k - 1)
        int full = span + maxShift;
        double[][] total = new double[c][taps];
        ChannelKernels.forRows(c, (long) n * h * w, (from, to) -> {
            float[] raw = new float[h * w];
            float[] pad = new float[padH() * pw];
            float[] dpad = new float[pad.length];
            float[] go = new float[outH * outW];
            float[] wide = new float[span];
            float[] gbig = new float[full + maxShift];
            float[] shifted = new float[full];
            float[][] acc = new float[taps][span];
            for (int ch = from; ch < to; ch++) {
                for (float[] a : acc) {
                    java.util.Arrays.fill(a, 0f);
                }
                float[] f = filters[ch];
                for (int img = 0; img < n; img++) {
                    int p = img * c + ch;
                    xIn.read(p, raw);
                    gIn.read(p, go);
                    pad(raw, pad, pw);
                    // the gradient on the padded row pitch (the unused columns stay zero), and again maxShift in
                    for (int oy = 0; oy < outH; oy++) {
                        System.arraycopy(go, oy * outW, wide, oy * pw, outW);
                        System.arraycopy(go, oy * outW, gbig, maxShift + oy * pw, outW);
                    }
                    java.util.Arrays.fill(dpad, 0f);
                    for (int t = 0; t < taps; t++) {
                        float wt = f[t];
                        int shift = (t / k) * pw + t % k;
                        System.arraycopy(gbig, maxShift - shift, shifted, 0, full);
                        for (int q = 0; q < full; q++) {
                            dpad[q] += wt * shifted[q];
                        }
                        System.arraycopy(pad, shift, shifted, 0, span);
                        float[] a = acc[t];
                        for (int j = 0; j < span; j++) {
                            a[j] += wide[j] * shifted[j];
                        }
                    }
                    for (int r = 0; r < h; r++) {
                        System.arraycopy(dpad, (r + top) * pw + left, raw, r * w, w);
                    }
                    out.write(p, raw);
                }
                for (int t = 0; t < taps; t++) {
                    double sum = 0;
                    for (float v : acc[t]) {
                        sum += v;
                    }
                    total[ch][t] = sum;
                }
            }
        });
        return total;
    }
}
