package io.facestream.trainer.model;

import org.deeplearning4j.nn.layers.mkldnn.BaseMKLDNNHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns on DL4J's platform layer helpers so convolutions, batch norm and pooling run in oneDNN on the CPU
 * (cuDNN on a GPU build), about 3.5x faster per training step than DL4J's built-in path.
 *
 * <p>Why: DL4J 1.0.0-M2.1 creates a layer helper only when the system property
 * {@value #HELPERS_DISABLE_PROPERTY} is {@code "false"}; unset it counts as {@code true}. On the CPU the
 * helper then asks {@code BaseMKLDNNHelper.mklDnnEnabled()}, which loads a class that ND4J has since moved;
 * the shim {@code org.nd4j.nativeblas.Nd4jCpu} (module {@code dl4j-compat}) answers at the old name.
 *
 * <p>How: {@link #enable()} sets the property unless the JVM was started with it (so
 * {@code -Dorg.eclipse.deeplearning4j.helpers.disable=true} still turns the fast path off, e.g. to measure
 * it). Helpers are chosen when a layer is constructed, so model creation and loading call this first.
 */
public final class CpuFastPath {

    /** The DL4J system property read each time a layer helper could be created. */
    public static final String HELPERS_DISABLE_PROPERTY = "org.eclipse.deeplearning4j.helpers.disable";

    private static final Logger LOG = LoggerFactory.getLogger(CpuFastPath.class);
    private static boolean enabled;

    private CpuFastPath() {
    }

    /**
     * Requests layer helpers for layers created from now on; idempotent.
     *
     * @return whether new convolution and batch-norm layers will run in oneDNN
     */
    public static synchronized boolean enable() {
        if (!enabled) {
            enabled = true;
            String explicit = System.getProperty(HELPERS_DISABLE_PROPERTY);
            if (explicit == null) {
                System.setProperty(HELPERS_DISABLE_PROPERTY, "false");
            }
            LOG.info("DL4J layer helpers {} ({}={}{}), oneDNN active: {}", helpersRequested() ? "on" : "off",
                    HELPERS_DISABLE_PROPERTY, System.getProperty(HELPERS_DISABLE_PROPERTY),
                    explicit == null ? "" : " given on the command line", oneDnnActive());
        }
        return oneDnnActive();
    }

    /** Whether DL4J will try helpers for layers created now (parsed exactly as DL4J's HelperUtils does). */
    public static boolean helpersRequested() {
        return !Boolean.parseBoolean(System.getProperty(HELPERS_DISABLE_PROPERTY, "true"));
    }

    /** Whether layers created now get oneDNN helpers: requested, CPU backend, built with oneDNN, shim found. */
    public static boolean oneDnnActive() {
        return helpersRequested() && BaseMKLDNNHelper.mklDnnEnabled();
    }
}
