package io.facestream.trainer.model;

import java.util.function.Supplier;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/** Runs a body with double as ND4J's default type (DL4J's gradient checks need it), then restores the default. */
final class DoublePrecision {
    private DoublePrecision() {
    }

    static <T> T run(Supplier<T> body) {
        DataType defaultType = Nd4j.dataType();
        DataType defaultFloatType = Nd4j.defaultFloatingPointType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        try {
            return body.get();
        } finally {
            Nd4j.setDefaultDataTypes(defaultType, defaultFloatType);
        }
    }
}
