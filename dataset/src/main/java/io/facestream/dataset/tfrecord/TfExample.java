package io.facestream.dataset.tfrecord;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The two features FaceStream needs from a {@code tf.train.Example}: an encoded image (a {@code BytesList}) and an
 * integer label (an {@code Int64List}). Parsed and written with protobuf's coded streams against the field numbers
 * of tensorflow/core/example/{example,feature}.proto, so no generated classes are needed:
 * {@code Example.features = 1}; {@code Features.feature = 1} (a map: entry key = 1, value = 2);
 * {@code Feature.bytes_list = 1, float_list = 2, int64_list = 3}; each list's {@code value = 1}.
 *
 * @param image the first value of the image feature
 * @param label the first value of the label feature
 */
public record TfExample(byte[] image, long label) {
    private static final int FIELD = 1;
    private static final int MAP_KEY = 1;
    private static final int MAP_VALUE = 2;
    private static final int BYTES_LIST = 1;
    private static final int FLOAT_LIST = 2;
    private static final int INT64_LIST = 3;

    /** Why a payload is not the Example expected; the message names the feature. */
    public static final class MalformedExampleException extends Exception {
        private static final long serialVersionUID = 1L;

        MalformedExampleException(String message) {
            super(message);
        }
    }

    /**
     * Parses the image and label features out of a serialized Example; other features and unknown fields are
     * skipped.
     *
     * @throws MalformedExampleException if the bytes are not an Example, or a feature is missing or of another type
     */
    public static TfExample parse(byte[] data, String imageFeature, String labelFeature) throws MalformedExampleException {
        byte[] image = null;
        Long label = null;
        List<String> seen = new ArrayList<>();
        try {
            CodedInputStream example = CodedInputStream.newInstance(data);
            for (int tag = example.readTag(); tag != 0; tag = example.readTag()) {
                if (!isMessage(tag, FIELD)) {
                    example.skipField(tag);
                    continue;
                }
                int featuresEnd = example.pushLimit(example.readRawVarint32());
                for (int t = example.readTag(); t != 0; t = example.readTag()) {
                    if (!isMessage(t, FIELD)) {
                        example.skipField(t);
                        continue;
                    }
                    int entryEnd = example.pushLimit(example.readRawVarint32());
                    String key = "";
                    byte[] value = null;
                    for (int e = example.readTag(); e != 0; e = example.readTag()) {
                        if (isMessage(e, MAP_KEY)) {
                            key = example.readStringRequireUtf8();
                        } else if (isMessage(e, MAP_VALUE)) {
                            value = example.readByteArray();
                        } else {
                            example.skipField(e);
                        }
                    }
                    example.popLimit(entryEnd);
                    seen.add(key);
                    if (key.equals(imageFeature)) {
                        image = firstBytes(value, imageFeature);
                    } else if (key.equals(labelFeature)) {
                        label = firstInt64(value, labelFeature);
                    }
                }
                example.popLimit(featuresEnd);
            }
        } catch (IOException e) {
            throw new MalformedExampleException("not a tf.train.Example: " + e.getMessage());
        }
        if (image == null) {
            throw new MalformedExampleException("no bytes feature \"" + imageFeature + "\" (features: " + seen
                    + "; set " + "sampler.tfrecord.imageFeature to use another)");
        }
        if (label == null) {
            throw new MalformedExampleException("no int64 feature \"" + labelFeature + "\" (features: " + seen
                    + "; set " + "sampler.tfrecord.labelFeature to use another)");
        }
        return new TfExample(image, label);
    }

    private static boolean isMessage(int tag, int field) {
        return WireFormat.getTagFieldNumber(tag) == field
                && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED;
    }

    private static byte[] firstBytes(byte[] feature, String name) throws IOException, MalformedExampleException {
        CodedInputStream in = CodedInputStream.newInstance(feature == null ? new byte[0] : feature);
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            if (isMessage(tag, BYTES_LIST)) {
                CodedInputStream list = CodedInputStream.newInstance(in.readByteArray());
                for (int t = list.readTag(); t != 0; t = list.readTag()) {
                    if (isMessage(t, FIELD)) {
                        return list.readByteArray();
                    }
                    list.skipField(t);
                }
                throw new MalformedExampleException("feature \"" + name + "\" is an empty bytes list");
            }
            in.skipField(tag);
        }
        throw new MalformedExampleException("feature \"" + name + "\" is not a bytes list" + kindOf(feature));
    }

    private static long firstInt64(byte[] feature, String name) throws IOException, MalformedExampleException {
        CodedInputStream in = CodedInputStream.newInstance(feature == null ? new byte[0] : feature);
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            if (isMessage(tag, INT64_LIST)) {
                CodedInputStream list = CodedInputStream.newInstance(in.readByteArray());
                for (int t = list.readTag(); t != 0; t = list.readTag()) {
                    if (WireFormat.getTagFieldNumber(t) == FIELD) {
                        if (WireFormat.getTagWireType(t) == WireFormat.WIRETYPE_VARINT) {
                            return list.readInt64();
                        }
                        if (WireFormat.getTagWireType(t) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                            // packed (what TensorFlow writes): a length, then the varints
                            int end = list.pushLimit(list.readRawVarint32());
                            if (list.getBytesUntilLimit() > 0) {
                                return list.readInt64();
                            }
                            list.popLimit(end);
                            continue;
                        }
                    }
                    list.skipField(t);
                }
                throw new MalformedExampleException("feature \"" + name + "\" is an empty int64 list");
            }
            in.skipField(tag);
        }
        throw new MalformedExampleException("feature \"" + name + "\" is not an int64 list" + kindOf(feature));
    }

    private static String kindOf(byte[] feature) throws IOException {
        if (feature == null) {
            return " (it has no value)";
        }
        CodedInputStream in = CodedInputStream.newInstance(feature);
        int tag = in.readTag();
        return switch (tag == 0 ? 0 : WireFormat.getTagFieldNumber(tag)) {
            case BYTES_LIST -> " (it is a bytes list)";
            case FLOAT_LIST -> " (it is a float list)";
            case INT64_LIST -> " (it is an int64 list)";
            default -> " (it is empty)";
        };
    }

    /** Serializes an Example holding these two features, as TensorFlow would (packed int64 list). */
    public byte[] encode(String imageFeature, String labelFeature) {
        byte[] bytesList = message(o -> o.writeByteArray(FIELD, image));
        byte[] imageValue = message(o -> o.writeByteArray(BYTES_LIST, bytesList));
        byte[] int64List = message(o -> {
            o.writeTag(FIELD, WireFormat.WIRETYPE_LENGTH_DELIMITED);
            o.writeUInt32NoTag(CodedOutputStream.computeInt64SizeNoTag(label));
            o.writeInt64NoTag(label);
        });
        byte[] labelValue = message(o -> o.writeByteArray(INT64_LIST, int64List));
        byte[] features = message(o -> {
            o.writeByteArray(FIELD, message(e -> {
                e.writeString(MAP_KEY, imageFeature);
                e.writeByteArray(MAP_VALUE, imageValue);
            }));
            o.writeByteArray(FIELD, message(e -> {
                e.writeString(MAP_KEY, labelFeature);
                e.writeByteArray(MAP_VALUE, labelValue);
            }));
        });
        return message(o -> o.writeByteArray(FIELD, features));
    }

    private interface Body {
        void write(CodedOutputStream out) throws IOException;
    }

    private static byte[] message(Body body) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        try {
            body.write(out);
            out.flush();
        } catch (IOException e) {
            // only a memory stream is involved, so this is a bug rather than an I/O condition
            throw new IllegalStateException("encoding a tf.train.Example into memory failed", e);
        }
        return bytes.toByteArray();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TfExample e && label == e.label && java.util.Arrays.equals(image, e.image);
    }

    @Override
    public int hashCode() {
        return 31 * java.util.Arrays.hashCode(image) + Long.hashCode(label);
    }

    @Override
    public String toString() {
        return "TfExample[label=" + label + ", image=" + image.length + " bytes]";
    }
}
