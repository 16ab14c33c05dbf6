package io.facestream.dataset;

import io.facestream.dataset.files.AtomicFile;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A PNG contact sheet of a source: one row per identity, its first images left to right, its id on the left. */
public final class PreviewGrid {
    private static final int GAP = 2;
    private static final int MIN_CELL = 32;
    private static final int MAX_CELL = 160;

    private PreviewGrid() {
    }

    /**
     * Writes the first {@code identities} identities of {@code src}, {@code imagesPerIdentity} images each (fewer
     * where an identity has fewer), to {@code png}. Cells take the size of the first image, clamped to
     * [{@value #MIN_CELL}, {@value #MAX_CELL}]; other images are scaled to fit.
     */
    public static void write(IdentitySource src, int identities, int imagesPerIdentity, Path png) throws IOException {
        if (identities < 1 || imagesPerIdentity < 1) {
            throw new IllegalArgumentException("preview needs at least 1 identity and 1 image per identity, got "
                    + identities + " and " + imagesPerIdentity);
        }
        List<String> ids = src.identities();
        List<String> rows = new ArrayList<>(ids.subList(0, Math.min(identities, ids.size())));
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("source " + src.describe() + " has no identities to preview");
        }
        BufferedImage first = decode(src, rows.get(0), 0);
        int cell = Math.max(MIN_CELL, Math.min(MAX_CELL, Math.max(first.getWidth(), first.getHeight())));
        Font font = new Font(Font.SANS_SERIF, Font.PLAIN, 11);
        BufferedImage probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D pg = probe.createGraphics();
        FontMetrics metrics = pg.getFontMetrics(font);
        int label = rows.stream().mapToInt(metrics::stringWidth).max().orElse(0) + 2 * GAP + 4;
        pg.dispose();

        int columns = Math.min(imagesPerIdentity, rows.stream().mapToInt(src::imageCount).max().orElse(1));
        BufferedImage sheet = new BufferedImage(label + columns * (cell + GAP), rows.size() * (cell + GAP) + GAP,
                BufferedImage.TYPE_INT_RGB);
        Graphics2D g = sheet.createGraphics();
        try {
            g.setColor(new Color(32, 32, 36));
            g.fillRect(0, 0, sheet.getWidth(), sheet.getHeight());
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setFont(font);
            for (int row = 0; row < rows.size(); row++) {
                String id = rows.get(row);
                int y = GAP + row * (cell + GAP);
                g.setColor(new Color(220, 220, 220));
                g.drawString(id, GAP + 2, y + (cell + metrics.getAscent()) / 2);
                int count = Math.min(columns, src.imageCount(id));
                for (int col = 0; col < count; col++) {
                    BufferedImage image = row == 0 && col == 0 ? first : decode(src, id, col);
                    g.drawImage(image, label + col * (cell + GAP), y, cell, cell, null);
                }
            }
        } finally {
            g.dispose();
        }
        AtomicFile.write(png, Images.encodePng(sheet));
    }

    private static BufferedImage decode(IdentitySource src, String identity, int index) throws IOException {
        return Images.decode(src.read(identity, index).bytes(), identity + "#" + index + " of " + src.describe());
    }
}
