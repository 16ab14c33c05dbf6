package io.facestream.dataset.formats;

import io.facestream.protocol.FaceImage;
import io.facestream.protocol.ImageEncoding;
import io.facestream.protocol.Limits;
import io.facestream.dataset.Images;

import java.nio.file.Path;

/** Turns the image bytes found in a record into a {@link FaceImage}, or a bad record saying why they are not one. */
public final class ImagePayload {
    private ImagePayload() {
    }

    /**
     * @param index the image's index within its identity; its sample id is the index, zero-padded to six digits
     * @throws BadRecordException naming {@code file} and {@code offset} when the bytes are over the size limit or
     *                            neither JPEG nor PNG
     */
    public static FaceImage of(String identity, int index, byte[] bytes, Path file, long offset)
            throws BadRecordException {
        if (bytes.length > Limits.MAX_IMAGE_BYTES) {
            throw new BadRecordException(new BadRecord(file, offset, BadRecord.Kind.MALFORMED, "the image has "
                    + bytes.length + " bytes, more than the limit of " + Limits.MAX_IMAGE_BYTES));
        }
        ImageEncoding encoding = Images.sniff(bytes).orElseThrow(() -> new BadRecordException(new BadRecord(file,
                offset, BadRecord.Kind.UNDECODABLE_IMAGE, "the image bytes are neither JPEG nor PNG (" + bytes.length
                + " bytes)")));
        return new FaceImage(identity, String.format("%06d", index), encoding, bytes);
    }
}
