package io.facestream.sampler.policy;

import io.facestream.protocol.Limits;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * Draws blocks of two: the identity of every block from the whole eligible catalog by an {@link IdentityPolicy},
 * then two distinct images of it from its {@link ShuffleBuffer}. Identities with fewer than {@code minImages}
 * images are held back until they grow. The catalog changes while sampling (ingest, consumer-group rebalances);
 * every method is thread-safe. With one seed and one sequence of calls the draws are reproducible.
 *
 * <p>Memory: a buffer is created the first time its identity is drawn and dropped when it is removed, so the
 * bound is about {@code 4 * min(bufferSize, imageCount)} bytes per drawn identity plus ~100 bytes per catalog
 * entry: 100,000 identities of >= 100 images with the default buffer of 100 hold at most ~50 MB.
 */
public final class PairSampler {
    /** Default records per identity shuffle buffer, as in tf.data's {@code shuffle(100)}. */
    public static final int DEFAULT_BUFFER_SIZE = 100;
    /** Default fewest images an identity needs to be drawn: two, so that a pair has two distinct images. */
    public static final int DEFAULT_MIN_IMAGES = 2;

    private final IdentityPolicy policy;
    private final int bufferSize;
    private final int minImages;
    private final SplittableRandom rng;
    private final Map<String, Entry> entries = new HashMap<>();
    /** Eligible entries by slot; {@code weights} holds their weights at the same slots. */
    private final List<Entry> eligible = new ArrayList<>();
    private final WeightedIndex weights = new WeightedIndex();

    /**
     * @param policy     how identities are chosen
     * @param bufferSize slots of each identity's shuffle buffer, at least 1
     * @param minImages  fewest images an identity needs to be drawn, at least 1
     * @param seed       seed of every random choice
     */
    public PairSampler(IdentityPolicy policy, int bufferSize, int minImages, long seed) {
        if (policy == null) {
            throw new IllegalArgumentException("policy must be one of UNIFORM, WEIGHTED, got null");
        }
        if (bufferSize < 1) {
            throw new IllegalArgumentException("bufferSize must be >= 1, got " + bufferSize);
        }
        if (minImages < 1) {
            throw new IllegalArgumentException("minImages must be >= 1, got " + minImages);
        }
        this.policy = policy;
        this.bufferSize = bufferSize;
        this.minImages = minImages;
        this.rng = new SplittableRandom(seed);
    }

    /**
     * Adds an identity with {@code imageCount} images (0 is allowed: it is held back until it grows).
     *
     * @throws IllegalArgumentException if the identity is already in the catalog, or the count is negative
     * @throws io.facestream.protocol.ProtocolException if the identity id is not a valid id
     */
    public synchronized void addIdentity(String identity, int imageCount) {
        Limits.checkIdentity(identity);
        checkCount(identity, imageCount);
        if (entries.containsKey(identity)) {
            throw new IllegalArgumentException("identity \"" + identity
                    + "\" is already in the catalog; use updateCount to change its image count");
        }
        Entry entry = new Entry(identity, imageCount);
        entries.put(identity, entry);
        if (imageCount >= minImages) {
            makeEligible(entry);
        }
    }

    /**
     * Sets an identity's image count. Growth makes the new images part of its stream; a smaller count (images
     * deleted from the store) restarts its buffer.
     *
     * @throws IllegalArgumentException if the identity is not in the catalog, or the count is negative
     */
    public synchronized void updateCount(String identity, int imageCount) {
        Entry entry = entries.get(identity);
        if (entry == null) {
            throw new IllegalArgumentException("identity \"" + identity + "\" is not in the catalog; use addIdentity");
        }
        checkCount(identity, imageCount);
        if (entry.buffer != null) {
            if (imageCount >= entry.count) {
                entry.buffer.grow(imageCount);
            } else {
                entry.buffer = null;
            }
        }
        boolean wasEligible = entry.slot >= 0;
        entry.count = imageCount;
        boolean isEligible = imageCount >= minImages;
        if (wasEligible && isEligible) {
            weights.set(entry.slot, policy.weight(imageCount));
        } else if (wasEligible) {
            makeIneligible(entry);
        } else if (isEligible) {
            makeEligible(entry);
        }
    }

    /** Removes an identity and its buffer; returns whether it was in the catalog. */
    public synchronized boolean removeIdentity(String identity) {
        Entry entry = entries.remove(identity);
        if (entry == null) {
            return false;
        }
        if (entry.slot >= 0) {
            makeIneligible(entry);
        }
        return true;
    }

    /**
     * Draws the next block.
     *
     * @throws NoEligibleIdentityException if no identity has {@code minImages} images
     */
    public synchronized PairDraw next() {
        if (eligible.isEmpty()) {
            throw new NoEligibleIdentityException("no identity has >= " + minImages + " images ("
                    + entries.size() + " in the catalog, all held back): add images or lower minImages");
        }
        Entry entry = eligible.get(weights.find(rng.nextLong(weights.total())));
        if (entry.buffer == null) {
            entry.buffer = new ShuffleBuffer(bufferSize, entry.count);
        }
        int first = entry.buffer.draw(rng);
        int second = entry.count == 1 ? first : entry.buffer.drawOther(rng, first);
        return new PairDraw(entry.identity, first, second);
    }

    /** Draws the next block, or nothing if no identity has {@code minImages} images. */
    public synchronized Optional<PairDraw> tryNext() {
        return eligible.isEmpty() ? Optional.empty() : Optional.of(next());
    }

    /** Whether the identity is in the catalog (eligible or held back). */
    public synchronized boolean contains(String identity) {
        return entries.containsKey(identity);
    }

    /** Identities in the catalog, eligible or held back. */
    public synchronized int identityCount() {
        return entries.size();
    }

    /** Identities that can be drawn. */
    public synchronized int eligibleCount() {
        return eligible.size();
    }

    /** Shuffle buffers allocated so far and not dropped. */
    public synchronized int bufferCount() {
        int n = 0;
        for (Entry entry : entries.values()) {
            n += entry.buffer == null ? 0 : 1;
        }
        return n;
    }

    public int minImages() {
        return minImages;
    }

    private void makeEligible(Entry entry) {
        entry.slot = weights.add(policy.weight(entry.count));
        eligible.add(entry);
    }

    private void makeIneligible(Entry entry) {
        int hole = entry.slot;
        int last = eligible.size() - 1;
        Entry moved = eligible.get(last);
        if (hole != last) {
            eligible.set(hole, moved);
            weights.set(hole, weights.weight(last));
            moved.slot = hole;
        }
        eligible.remove(last);
        weights.removeLast();
        entry.slot = -1;
    }

    private static void checkCount(String identity, int imageCount) {
        if (imageCount < 0) {
            throw new IllegalArgumentException("image count of \"" + identity + "\" must be >= 0, got " + imageCount);
        }
    }

    private static final class Entry {
        final String identity;
        int count;
        /** Slot in {@code eligible}, or -1 while held back. */
        int slot = -1;
        ShuffleBuffer buffer;

        Entry(String identity, int count) {
            this.identity = identity;
            this.count = count;
        }
    }
}
