package io.facestream.dataset.formats;

import io.facestream.protocol.FaceImage;
import io.facestream.dataset.Images;

import java.io.IOException;

/**
 * Reads and decodes every image of a {@link DatasetSource}, so that damage a sampling read would only meet later
 * (a data checksum, a payload that does not parse, an image that does not decode) is found now. Every bad record
 * goes to the source's {@link BadRecords}: under the skip policy it is counted and the walk goes on, under the fail
 * policy the first one ends it.
 */
public final class DatasetVerifier {
    private DatasetVerifier() {
    }

    /**
     * @return how many images read and decoded cleanly
     * @throws BadRecordException under the fail policy, naming the first bad record
     * @throws IOException        if a file cannot be read at all
     */
    public static long verify(DatasetSource source) throws IOException {
        BadRecords bad = source.badRecords();
        long good = 0;
        for (String id : source.identities()) {
            int n = source.imageCount(id);
            for (int i = 0; i < n; i++) {
                DatasetSource.Location at = source.locate(id, i);
                FaceImage image;
                try {
                    image = source.read(id, i);
                } catch (BadRecordException e) {
                    // already counted by the source's read
                    if (bad.policy() == BadRecordPolicy.FAIL) {
                        throw e;
                    }
                    continue;
                }
                try {
                    Images.decode(image.bytes(), at.file() + " at byte " + at.offset());
                    good++;
                } catch (IOException e) {
                    bad.found(new BadRecord(at.file(), at.offset(), BadRecord.Kind.UNDECODABLE_IMAGE, e.getMessage()));
                }
            }
        }
        return good;
    }
}
