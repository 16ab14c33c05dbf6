package io.facestream.dataset;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SyntheticConfigTest {

    @Test
    @DisplayName("defaults are the 2-core demo settings: seed 7, 2000 identities, 20 images, 64x64, from 0")
    void defaults() {
        assertEquals(new SyntheticConfig(7, 2000, 20, 64, 0), SyntheticConfig.defaults());
    }

    @Test
    @DisplayName("each out-of-range field is refused with its name, its allowed range and the bad value")
    void refusesBadFields() {
        expect("synthetic.identities must be in [1, 10000000], got 0", () -> SyntheticConfig.of(1, 0, 5, 64, 0));
        expect("synthetic.imagesPerIdentity must be in [1, 100000], got -3", () -> SyntheticConfig.of(1, 5, -3, 64, 0));
        expect("synthetic.size must be in [32, 512], got 31", () -> SyntheticConfig.of(1, 5, 5, 31, 0));
        expect("synthetic.size must be in [32, 512], got 513", () -> SyntheticConfig.of(1, 5, 5, 513, 0));
        expect("synthetic.firstIdentity must be in [0, 100000000], got -1", () -> SyntheticConfig.of(1, 5, 5, 64, -1));
        expect("synthetic.identities must be in [1, 10000000], got 0",
                () -> SyntheticConfig.defaults().withIdentities(100_000, 0));
    }

    @Test
    @DisplayName("the range ends are accepted")
    void acceptsBounds() {
        assertDoesNotThrow(() -> SyntheticConfig.of(Long.MIN_VALUE, 1, 1, 32, 0));
        assertDoesNotThrow(() -> SyntheticConfig.of(Long.MAX_VALUE, SyntheticConfig.MAX_IDENTITIES,
                SyntheticConfig.MAX_IMAGES, 512, SyntheticConfig.MAX_FIRST));
    }

    private static void expect(String message, Executable build) {
        assertEquals(message, assertThrows(IllegalArgumentException.class, build).getMessage());
    }
}
