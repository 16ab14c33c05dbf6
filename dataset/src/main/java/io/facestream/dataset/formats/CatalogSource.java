package io.facestream.dataset.formats;

import java.util.List;

/**
 * The part of a record-file source that answers from its {@link OffsetCatalog}: identities, image counts, labels
 * and record locations. Subclasses fill the catalog while opening, freeze it, and read records.
 */
public abstract class CatalogSource implements DatasetSource {
    protected final OffsetCatalog catalog;
    protected final BadRecords bad;

    protected CatalogSource(OffsetCatalog catalog, BadRecords bad) {
        this.catalog = catalog;
        this.bad = bad;
    }

    @Override
    public List<String> identities() {
        return catalog.identities();
    }

    @Override
    public int imageCount(String identity) {
        return catalog.entry(identity).offsets().length;
    }

    @Override
    public long label(String identity) {
        return catalog.entry(identity).label();
    }

    @Override
    public Location locate(String identity, int index) {
        return catalog.locate(identity, index);
    }

    @Override
    public BadRecords badRecords() {
        return bad;
    }
}
