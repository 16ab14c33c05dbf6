package io.facestream.sampler.ingest;

import io.facestream.protocol.FaceImage;
import io.facestream.protocol.IngestRecord;
import io.facestream.sampler.ingest.IngestStats.Counter;
import io.facestream.sampler.store.IdentityStore;
import io.facestream.sampler.store.StoreWrite;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Applies one ingest record on the replica that owns its identity: checks every image, writes the new ones to
 * the store and brings the rotation up to date. Applying the same record again is harmless: its images are
 * already stored, so it only counts duplicates. Not thread-safe: one consumer thread applies records in order.
 */
public final class IngestApplier {
    private final IdentityStore store;
    private final CombinedSource source;
    private final Ownership ownership;
    private final ImageCheck check;
    private final IngestStats stats;

    public IngestApplier(CombinedSource source, Ownership ownership, ImageCheck check, IngestStats stats) {
        this.store = source.store();
        this.source = source;
        this.ownership = ownership;
        this.check = check;
        this.stats = stats;
    }

    /**
     * @throws InvalidImagesException naming every bad image; nothing was stored
     * @throws IOException            if the store cannot be written or rescanned; images written before the
     *                                failure stay, and applying the record again completes it
     */
    public IngestOutcome apply(IngestRecord record) throws InvalidImagesException, IOException {
        List<ImageProblem> problems = new ArrayList<>();
        for (FaceImage image : record.images()) {
            ImageCheck.Result result = check.check(image.sampleId(), image.bytes(), image.encoding());
            if (!result.ok()) {
                problems.add(result.problem());
            }
        }
        if (!problems.isEmpty()) {
            Set<ImageProblem.Reason> reasons = new LinkedHashSet<>();
            problems.forEach(p -> reasons.add(p.reason()));
            reasons.forEach(r -> stats.reject(r.wireName()));
            throw new InvalidImagesException(record.identity(), problems);
        }
        boolean known = source.knows(record.identity());
        StoreWrite write = store.put(record.identity(), record.images());
        ownership.refresh(record.identity());
        boolean newIdentity = !known && write.added() > 0;
        stats.add(Counter.RECORDS, 1);
        stats.add(Counter.IMAGES_ADDED, write.added());
        stats.add(Counter.DUPLICATES_SKIPPED, write.duplicates());
        if (newIdentity) {
            stats.add(Counter.IDENTITIES_ADDED, 1);
        }
        if (write.added() > 0) {
            stats.touched(record.identity());
        }
        int count = source.knows(record.identity()) ? source.imageCount(record.identity()) : 0;
        return new IngestOutcome(record.identity(), record.requestId(), write.added(), write.duplicates(), newIdentity,
                count, ownership.inRotation(record.identity()));
    }
}
