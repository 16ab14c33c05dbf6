package io.facestream.dataset;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The default generator must defeat trivial distances yet keep identity in the face's shape. Figures at seed 7,
 * 100 identities, 1000 pairs, pair seed 11 (see {@link SyntheticFacesBench}): raw pixels about 0.55, mean colour
 * about 0.52, centre colour about 0.64, aligned landmarks about 0.91.
 */
class SyntheticCalibrationTest {
    private static final Logger LOG = LoggerFactory.getLogger(SyntheticCalibrationTest.class);
    private static Calibration calibration;

    @BeforeAll
    static void measure() throws IOException {
        SyntheticFaces src = new SyntheticFaces(SyntheticConfig.defaults().withIdentities(0, 100));
        calibration = Calibration.measure(src, 1000, 11);
        LOG.info("calibration of {}: {}", src.describe(), calibration);
        assertEquals(1000, calibration.pairs());
    }

    @Test
    @DisplayName("L2 on 16x16 grayscale thumbnails verifies 1000 pairs no better than 0.70")
    void rawPixelsFail() {
        assertTrue(calibration.rawPixels() < 0.70, "raw-pixel accuracy " + calibration.rawPixels());
    }

    @Test
    @DisplayName("mean colour of the whole image, or of the face region, verifies no better than 0.70")
    void colourFails() {
        assertTrue(calibration.meanColour() < 0.70, "mean-colour accuracy " + calibration.meanColour());
        // The face region's mean colour carries skin and hair tone, which real identities have too; it must stay
        // far below what a trained network reaches on these faces (>= 0.95), not at chance.
        assertTrue(calibration.centreColour() < 0.78, "centre-colour accuracy " + calibration.centreColour());
    }

    @Test
    @DisplayName("identity is in the geometry: pose-aligned landmarks verify the same pairs at 0.85 or better")
    void geometryIdentifies() {
        assertTrue(calibration.landmarks() >= 0.85, "landmark accuracy " + calibration.landmarks());
    }
}
