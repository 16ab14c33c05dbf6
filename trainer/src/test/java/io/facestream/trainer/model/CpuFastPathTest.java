package io.facestream.trainer.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.layers.mkldnn.MKLDNNConvHelper;
import org.deeplearning4j.nn.layers.normalization.BatchNormalization;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class CpuFastPathTest {

    @Test
    @DisplayName("enable is idempotent and every conv and batch-norm layer of a new model gets a oneDNN helper")
    void layersGetOneDnnHelpers() {
        assertTrue(CpuFastPath.enable(), "oneDNN should be active with nd4j-native's onednn-avx2 natives");
        assertTrue(CpuFastPath.enable());
        assertTrue(CpuFastPath.helpersRequested());
        ModelConfig config = ModelConfig.defaults().withInputSize(32).withEmbeddingSize(16);
        try (EmbeddingModel model = EmbeddingModel.create(config)) {
            int conv = 0;
            int bn = 0;
            for (Layer layer : model.graph().getLayers()) {
                if (layer instanceof ConvolutionLayer c) {
                    assertNotNull(c.getHelper(), c.conf().getLayer().getLayerName());
                    assertEquals(MKLDNNConvHelper.class, c.getHelper().getClass());
                    conv++;
                } else if (layer instanceof BatchNormalization b) {
                    // the project's own batch norm, which does not use DL4J's helper (ChannelBatchNormLayer)
                    assertEquals(ChannelBatchNorm.class, b.getClass(), b.conf().getLayer().getLayerName());
                    bn++;
                }
            }
            // SMALL: five plain convolutions, one batch norm on the embedding
            assertTrue(conv == 5 && bn == 1, conv + " conv, " + bn + " batch-norm layers");
        }
    }
}
