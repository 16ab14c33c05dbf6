package io.facestream.sampler.store;

import java.util.List;

/**
 * What one {@link IdentityStore#put} did.
 *
 * @param identity   the identity written to
 * @param written    names of the files created, in request order
 * @param duplicates images skipped because the same bytes were already stored (or earlier in the same batch)
 */
public record StoreWrite(String identity, List<String> written, int duplicates) {
    public StoreWrite {
        written = List.copyOf(written);
    }

    public int added() {
        return written.size();
    }
}
