package org.nd4j.nativeblas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import org.deeplearning4j.nn.layers.mkldnn.BaseMKLDNNHelper;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The shim is only right while DL4J looks for the old class name and ND4J does not ship it. These tests
 * fail, saying what to do, as soon as an upgrade changes either side.
 */
class Nd4jCpuShimTest {

    private static final String OLD_NAME = "org.nd4j.nativeblas.Nd4jCpu$Environment";

    @Test
    @DisplayName("the shim at DL4J's old class name answers from ND4J's native environment")
    void shimForwardsToRealEnvironment() {
        Nd4jCpu.Environment shim = Nd4jCpu.Environment.getInstance();
        org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu.Environment real =
                org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu.Environment.getInstance();
        assertEquals(real.isUseONEDNN(), shim.isUseMKLDNN());
        assertEquals(real.isUseONEDNN(), shim.isUseONEDNN());
        assertEquals(real.helpersAllowed(), shim.helpersAllowed());
        assertEquals(Nd4j.getEnvironment().helpersAllowed(), shim.helpersAllowed());
    }

    @Test
    @DisplayName("DL4J's oneDNN check still loads the old class name and calls isUseMKLDNN (else the shim is unnecessary)")
    void dl4jStillLooksUpTheOldName() throws IOException {
        String constants = classFileText(BaseMKLDNNHelper.class);
        assertTrue(constants.contains(OLD_NAME) && constants.contains("isUseMKLDNN"),
                "BaseMKLDNNHelper no longer looks up " + OLD_NAME + ".isUseMKLDNN: this DL4J finds oneDNN by itself;"
                        + " delete the dl4j-compat module and check CpuFastPath.oneDnnActive()");
    }

    @Test
    @DisplayName("ND4J does not ship a class at the old name (else the shim shadows or clashes with it)")
    void nd4jDoesNotShipTheOldName() throws IOException {
        List<URL> copies = Collections.list(getClass().getClassLoader()
                .getResources(OLD_NAME.replace('.', '/') + ".class"));
        assertEquals(1, copies.size(), "more than one " + OLD_NAME + " on the class path: " + copies
                + "; ND4J provides it again, so delete the dl4j-compat module");
    }

    @Test
    @DisplayName("with the shim present and helpers allowed, DL4J reports oneDNN enabled")
    void dl4jSeesOneDnn() {
        assertTrue(BaseMKLDNNHelper.mklDnnEnabled(),
                "BaseMKLDNNHelper.mklDnnEnabled() is false with the shim on the class path and the onednn-avx2"
                        + " natives present: the shim no longer matches what DL4J expects");
    }

    /** The class file's bytes read as ISO-8859-1, enough to find the UTF-8 constants of ASCII names. */
    private static String classFileText(Class<?> type) throws IOException {
        String resource = "/" + type.getName().replace('.', '/') + ".class";
        try (InputStream in = type.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("class file not found: " + resource);
            }
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }
}
