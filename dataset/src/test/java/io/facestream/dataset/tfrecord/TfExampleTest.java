package io.facestream.dataset.tfrecord;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.HexFormat;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TfExampleTest {
    /**
     * Example{features{feature{key:"img" value{bytes_list{value:"\xff\xd8"}}} feature{key:"label"
     * value{int64_list{value:5}}}}}, encoded by hand from example.proto and feature.proto.
     */
    private static final String HAND = "0a1f" + "0a0d" + "0a03696d67" + "1206" + "0a04" + "0a02ffd8"
            + "0a0e" + "0a056c6162656c" + "1205" + "1a03" + "0a0105";

    @Test
    @DisplayName("the encoding matches a tf.train.Example worked out by hand from the proto field numbers")
    void encodeByHand() {
        byte[] bytes = new TfExample(new byte[]{(byte) 0xff, (byte) 0xd8}, 5).encode("img", "label");
        assertEquals(HAND, HexFormat.of().formatHex(bytes));
    }

    @Test
    @DisplayName("the hand-encoded Example parses to its image and label")
    void parseByHand() throws Exception {
        TfExample e = TfExample.parse(HexFormat.of().parseHex(HAND), "img", "label");
        assertArrayEquals(new byte[]{(byte) 0xff, (byte) 0xd8}, e.image());
        assertEquals(5, e.label());
    }

    @Test
    @DisplayName("an unpacked int64 list and unknown features are read as TensorFlow's parser would")
    void unpackedAndExtraFeatures() throws Exception {
        String other = "0a0a" + "0a0178" + "1205" + "120308" + "0000"; // feature "x": a float_list (bytes ignored)
        String label = "0a0d" + "0a056c6162656c" + "1204" + "1a02" + "082a"; // int64_list{value: 42}, unpacked
        String img = "0a0b" + "0a03696d67" + "1204" + "0a02" + "0a00"; // bytes_list{value: ""}
        String features = other + label + img;
        String hex = "0a" + String.format("%02x", features.length() / 2) + features;
        TfExample e = TfExample.parse(HexFormat.of().parseHex(hex), "img", "label");
        assertEquals(42, e.label());
        assertEquals(0, e.image().length);
    }

    @Test
    @DisplayName("a missing or mistyped feature fails naming the feature, the ones present and the setting to change")
    void missing() {
        byte[] bytes = new TfExample(new byte[3], 1).encode("image_raw", "label");
        var e = assertThrows(TfExample.MalformedExampleException.class, () -> TfExample.parse(bytes, "img", "label"));
        assertTrue(e.getMessage().contains("\"img\"") && e.getMessage().contains("image_raw")
                && e.getMessage().contains("sampler.tfrecord.imageFeature"), e.getMessage());
        var typed = assertThrows(TfExample.MalformedExampleException.class,
                () -> TfExample.parse(bytes, "label", "image_raw"));
        assertTrue(typed.getMessage().contains("\"image_raw\" is not an int64 list (it is a bytes list)"),
                typed.getMessage());
        assertThrows(TfExample.MalformedExampleException.class, () -> TfExample.parse(new byte[]{0x0a, 0x7f}, "img", "label"));
    }

    @Test
    @DisplayName("random images and labels, negative and 64-bit ones included, survive encode and parse")
    void randomRoundTrip() throws Exception {
        SplittableRandom rng = new SplittableRandom(9);
        for (int i = 0; i < 200; i++) {
            byte[] image = new byte[rng.nextInt(0, 5000)];
            rng.nextBytes(image);
            long label = i % 3 == 0 ? rng.nextLong() : rng.nextLong(0, 100_000);
            TfExample e = new TfExample(image, label);
            assertEquals(e, TfExample.parse(e.encode("a", "b"), "a", "b"));
        }
    }
}
