package io.facestream.dataset.recordio;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The header MXNet's {@code recordio.pack} puts before each payload (struct {@code IfQQ}, little-endian):
 * {@code flag} (uint32), {@code label} (float32), {@code id} and {@code id2} (uint64). With {@code flag > 0} the
 * label is an array of {@code flag} float32 values following the header instead. insightface uses a 2-value label
 * for its header records: record 0's is the range of identity records, an identity record's the range of its images.
 *
 * @param labels the label (one value when {@code flag == 0}, else {@code flag} values)
 * @param flag   0 for a single label, else the length of {@code labels}
 */
public record IrHeader(int flag, float[] labels, long id, long id2) {
    /** Bytes of the fixed part. */
    public static final int SIZE = 24;

    /** A header with a single label (an image record). */
    public static IrHeader single(float label, long id) {
        return new IrHeader(0, new float[]{label}, id, 0);
    }

    /** A header with a label array (insightface's header and identity records). */
    public static IrHeader array(float... labels) {
        return new IrHeader(labels.length, labels.clone(), 0, 0);
    }

    /** Bytes of this header, label array included. */
    public int length() {
        return SIZE + 4 * flag;
    }

    /** This header followed by {@code payload}, as {@code recordio.pack} lays them out. */
    public byte[] pack(byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(length() + payload.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(flag).putFloat(flag == 0 ? labels[0] : 0f).putLong(id).putLong(id2);
        if (flag > 0) {
            for (float l : labels) {
                b.putFloat(l);
            }
        }
        b.put(payload);
        return b.array();
    }

    /**
     * Reads the header at the start of {@code record}.
     *
     * @throws IllegalArgumentException saying what is wrong when the record is too short for the header it announces
     */
    public static IrHeader unpack(byte[] record, int length) {
        if (length < SIZE) {
            throw new IllegalArgumentException("the record has " + length + " bytes, fewer than the " + SIZE
                    + " of an IRHeader");
        }
        ByteBuffer b = ByteBuffer.wrap(record, 0, length).order(ByteOrder.LITTLE_ENDIAN);
        int flag = b.getInt();
        float label = b.getFloat();
        long id = b.getLong();
        long id2 = b.getLong();
        if (flag < 0 || (long) SIZE + 4L * flag > length) {
            throw new IllegalArgumentException("the IRHeader announces " + Integer.toUnsignedString(flag)
                    + " label values but the record has " + length + " bytes");
        }
        if (flag == 0) {
            return new IrHeader(0, new float[]{label}, id, id2);
        }
        float[] labels = new float[flag];
        for (int i = 0; i < flag; i++) {
            labels[i] = b.getFloat();
        }
        return new IrHeader(flag, labels, id, id2);
    }

    /** The class label of an image record: the single label, or the first of an array. */
    public float classLabel() {
        return labels[0];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IrHeader h && flag == h.flag && id == h.id && id2 == h.id2
                && java.util.Arrays.equals(labels, h.labels);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(flag, id, id2, java.util.Arrays.hashCode(labels));
    }

    @Override
    public String toString() {
        return "IrHeader[flag=" + flag + ", labels=" + java.util.Arrays.toString(labels) + ", id=" + id + ", id2=" + id2 + "]";
    }
}
