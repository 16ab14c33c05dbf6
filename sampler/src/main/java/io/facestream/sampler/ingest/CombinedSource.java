package io.facestream.sampler.ingest;

import io.facestream.protocol.FaceImage;
import io.facestream.dataset.IdentitySource;
import io.facestream.sampler.store.IdentityStore;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The sampler's catalog with the identity store behind it: an identity's images are its catalog images (indices
 * {@code 0 .. n-1}) followed by its ingested ones ({@code n ..}), and identities only the store holds come after
 * the catalog's. Indices never move, as long as the catalog's counts are fixed (synthetic faces, a folder that is
 * not rescanned) and the store only grows. Reads may run concurrently with ingest.
 */
public final class CombinedSource implements IdentitySource {
    private final IdentitySource catalog;
    private final Set<String> inCatalog;
    private final IdentityStore store;

    /**
     * @param catalog the sampler's dataset; null or empty when everything comes from the store
     * @param store   the ingested images
     */
    public CombinedSource(IdentitySource catalog, IdentityStore store) {
        this.catalog = catalog;
        this.inCatalog = catalog == null ? Set.of() : Set.copyOf(catalog.identities());
        this.store = store;
    }

    /** The catalog's identities, then those only the store holds (as far as this process has scanned it). */
    @Override
    public List<String> identities() {
        List<String> stored = store.images().identities();
        if (inCatalog.isEmpty()) {
            return stored;
        }
        List<String> out = new ArrayList<>(catalog.identities());
        Set<String> seen = new HashSet<>(inCatalog);
        for (String identity : stored) {
            if (seen.add(identity)) {
                out.add(identity);
            }
        }
        return out;
    }

    /** Whether {@code identity} has images here; cheaper than searching {@link #identities()}. */
    public boolean knows(String identity) {
        return inCatalog.contains(identity) || store.imageCount(identity) > 0;
    }

    @Override
    public int imageCount(String identity) {
        int count = catalogCount(identity) + store.imageCount(identity);
        if (count == 0) {
            throw new IllegalArgumentException("unknown identity " + identity + " in " + describe());
        }
        return count;
    }

    @Override
    public FaceImage read(String identity, int index) throws IOException {
        int fromCatalog = catalogCount(identity);
        if (index >= 0 && index < fromCatalog) {
            return catalog.read(identity, index);
        }
        if (index < 0 || index >= fromCatalog + store.imageCount(identity)) {
            throw new IndexOutOfBoundsException("image index " + index + " out of range [0, "
                    + imageCount(identity) + ") for identity " + identity + " in " + describe());
        }
        return store.images().read(identity, index - fromCatalog);
    }

    private int catalogCount(String identity) {
        return inCatalog.contains(identity) ? catalog.imageCount(identity) : 0;
    }

    public IdentityStore store() {
        return store;
    }

    @Override
    public String describe() {
        return "combined(catalog=" + (catalog == null ? "none" : catalog.describe()) + ", " + store + ")";
    }
}
