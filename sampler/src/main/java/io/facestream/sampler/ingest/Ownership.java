package io.facestream.sampler.ingest;

import io.facestream.sampler.policy.PairSampler;
import io.facestream.sampler.store.IdentityStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Keeps a sampler's rotation ({@link PairSampler}) equal to the identities it owns: those of the combined source
 * whose {@link IdentityPartitions partition} of the identities topic this replica is assigned. Assigned
 * partitions bring their identities in (including images other replicas stored while they owned them), revoked
 * ones take theirs out, and an ingest adds a new identity or grows one at once. Partitions added to the topic
 * ({@link #resize}) move identities between partitions: the rotation follows the new count. Thread-safe; Kafka's rebalance
 * callbacks and the record loop call it from the consumer's thread, stats readers from any.
 */
public final class Ownership {
    private static final Logger LOG = LoggerFactory.getLogger(Ownership.class);

    private final PairSampler rotation;
    private final CombinedSource source;
    /** The partition count now; replaced (never shrunk) when partitions are added to the topic. */
    private volatile IdentityPartitions partitions;
    /** Every partition count seen since start, ascending: a record was routed by one of them. */
    private final List<IdentityPartitions> counts = new ArrayList<>();
    private final Set<Integer> owned = new TreeSet<>();
    /**
     * {@code owned} once the rotation matches it (published at the end of an assignment or revocation), readable
     * without waiting for a rebalance's store scan.
     */
    private volatile List<Integer> ownedSnapshot = List.of();

    public Ownership(PairSampler rotation, CombinedSource source, IdentityPartitions partitions) {
        this.rotation = rotation;
        this.source = source;
        this.partitions = partitions;
        this.counts.add(partitions);
    }

    public IdentityPartitions partitions() {
        return partitions;
    }

    /**
     * Whether a producer keyed by identity could have put {@code identity} on {@code partition}: its partition
     * under the count now or under one seen before (records produced before partitions were added stay where
     * they were).
     */
    public synchronized boolean routedTo(String identity, int partition) {
        for (IdentityPartitions count : counts) {
            if (count.of(identity) == partition) {
                return true;
            }
        }
        return false;
    }

    /**
     * Follows partitions added to the identities topic: identities are mapped by the new count, those now in a
     * partition this replica does not own leave the rotation, and those now in an owned one (catalog or store,
     * whoever stored them) join it. A count not above the current one changes nothing (Kafka never removes
     * partitions).
     *
     * @return whether the count changed
     * @throws IOException if the store cannot be listed; the new count holds all the same
     */
    public synchronized boolean resize(int count) throws IOException {
        if (count <= partitions.partitions()) {
            return false;
        }
        IdentityPartitions before = partitions;
        partitions = new IdentityPartitions(count);
        counts.add(partitions);
        int left = 0;
        for (String identity : source.identities()) {
            if (!owned.contains(partitions.of(identity)) && rotation.removeIdentity(identity)) {
                left++;
            }
        }
        int joined = 0;
        try {
            // no sweep of temporary files here: a replica still applying records routed by the old count may be
            // writing some of these identities
            joined = bringIn(Set.copyOf(owned), false);
        } finally {
            LOG.info("the identities topic grew from {} to {} partitions; owning {}: {} identities left the rotation, "
                    + "{} joined ({} in it)", before.partitions(), count, owned, left, joined, rotation.identityCount());
        }
        return true;
    }

    /** Whether this replica owns {@code identity} now. */
    public synchronized boolean owns(String identity) {
        return owned.contains(partitions.of(identity));
    }

    /** Whether {@code identity} is in the rotation (owned, with at least one image). */
    public boolean inRotation(String identity) {
        return rotation.contains(identity);
    }

    /** The partitions owned now, ascending; never waits (a stats timer on an event loop calls it). */
    public List<Integer> ownedPartitions() {
        return ownedSnapshot;
    }

    /**
     * Takes over {@code assigned}: scans the store for their identities and puts every one of them with an
     * image into the rotation.
     *
     * @return how many identities entered the rotation
     * @throws IOException if the store cannot be listed; the partitions are owned all the same and the identities
     *                     known so far joined, so a later ingest or rebalance completes the scan
     */
    public synchronized int assign(Collection<Integer> assigned) throws IOException {
        Set<Integer> fresh = new TreeSet<>(assigned);
        owned.addAll(fresh);
        int added = 0;
        try {
            added = bringIn(fresh, true);
        } finally {
            ownedSnapshot = List.copyOf(owned);
            LOG.info("owning partitions {} of the identities topic (now {}): {} identities joined the rotation ({} in "
                    + "it, {} eligible)", fresh, owned, added, rotation.identityCount(), rotation.eligibleCount());
        }
        return added;
    }

    /**
     * Scans the store for identities of {@code partitionNumbers} and puts every one of them with an image into the
     * rotation; the catalog's and those already known join even when the scan fails. With {@code sweep}, the
     * temporary files a killed writer left in their directories are removed: on an assignment this replica is the
     * only writer of those identities from now on.
     */
    private int bringIn(Set<Integer> partitionNumbers, boolean sweep) throws IOException {
        IOException scanFailure = null;
        IdentityStore store = source.store();
        try {
            for (String identity : store.listIdentities()) {
                if (partitionNumbers.contains(partitions.of(identity))) {
                    if (sweep) {
                        store.removeOrphanedTemporaryFiles(identity);
                    }
                    store.refresh(identity);
                }
            }
        } catch (IOException e) {
            scanFailure = e;
        }
        int added = 0;
        for (String identity : source.identities()) {
            if (partitionNumbers.contains(partitions.of(identity)) && sync(identity)) {
                added++;
            }
        }
        if (scanFailure != null) {
            throw scanFailure;
        }
        return added;
    }

    /**
     * Gives up {@code revoked}: their identities leave the rotation.
     *
     * @return how many identities left it
     */
    public synchronized int revoke(Collection<Integer> revoked) {
        Set<Integer> gone = new TreeSet<>(revoked);
        owned.removeAll(gone);
        int removed = 0;
        for (String identity : source.identities()) {
            if (gone.contains(partitions.of(identity)) && rotation.removeIdentity(identity)) {
                removed++;
            }
        }
        ownedSnapshot = List.copyOf(owned);
        LOG.info("gave up partitions {} of the identities topic (still owning {}): {} identities left the rotation",
                gone, owned, removed);
        return removed;
    }

    /**
     * Brings an owned identity's rotation entry up to date with the store after an ingest: adds it, or sets its
     * image count. Does nothing for an identity this replica does not own.
     *
     * @return whether the identity was new to the rotation
     * @throws IOException if the store cannot be rescanned
     */
    public synchronized boolean refresh(String identity) throws IOException {
        if (!owned.contains(partitions.of(identity))) {
            return false;
        }
        source.store().refresh(identity);
        return sync(identity);
    }

    /** Puts the identity's current image count into the rotation; true if it was not there before. */
    private boolean sync(String identity) {
        if (!source.knows(identity)) {
            return false;
        }
        int count = source.imageCount(identity);
        if (rotation.contains(identity)) {
            rotation.updateCount(identity, count);
            return false;
        }
        rotation.addIdentity(identity, count);
        return true;
    }
}
