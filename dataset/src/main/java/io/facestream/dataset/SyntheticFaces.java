package io.facestream.dataset;

import io.facestream.protocol.FaceImage;
import io.facestream.protocol.ImageEncoding;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.AbstractList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Face-like identities drawn on demand: each identity has its own geometry, colouring, hairstyle and accessories
 * ({@link FaceGenome}); each image varies pose, expression, lighting, blur, noise, background and occlusion
 * ({@link FaceVariation}). Everything derives from (seed, identity number, image index), so a call returns the
 * same bytes in any order, on any thread. Holds no per-image state.
 */
public final class SyntheticFaces implements IdentitySource {
    /** JPEG quality of {@link #read}. */
    public static final float JPEG_QUALITY = 0.9f;
    private static final String PREFIX = "syn-";
    private static final Pattern ID_PATTERN = Pattern.compile("syn-[0-9]{5,9}");

    private final SyntheticConfig config;
    private final List<String> identities;

    public SyntheticFaces(SyntheticConfig config) {
        this.config = config;
        this.identities = new AbstractList<>() {
            @Override
            public String get(int i) {
                if (i < 0 || i >= config.identities()) {
                    throw new IndexOutOfBoundsException("identity position " + i + " out of range [0, "
                            + config.identities() + ")");
                }
                return identityId(config.firstIdentity() + i);
            }

            @Override
            public int size() {
                return config.identities();
            }
        };
    }

    /** The id of identity number {@code number}: {@code syn-00042}. */
    public static String identityId(int number) {
        return String.format("%s%05d", PREFIX, number);
    }

    public SyntheticConfig config() {
        return config;
    }

    @Override
    public List<String> identities() {
        return identities;
    }

    @Override
    public int imageCount(String identity) {
        number(identity);
        return config.imagesPerIdentity();
    }

    @Override
    public FaceImage read(String identity, int index) {
        BufferedImage image = render(identity, index);
        return new FaceImage(identity, String.format("%06d", index), ImageEncoding.JPEG,
                Images.encodeJpeg(image, JPEG_QUALITY));
    }

    /** The picture {@link #read} encodes. */
    public BufferedImage render(String identity, int index) {
        int number = number(identity);
        if (index < 0 || index >= config.imagesPerIdentity()) {
            throw new IndexOutOfBoundsException("image index " + index + " out of range [0, "
                    + config.imagesPerIdentity() + ") for identity " + identity);
        }
        return render(config.seed(), number, index, config.size());
    }

    /**
     * Renders image {@code index} of identity number {@code identity} under {@code seed}, {@code size} pixels
     * square, without the bounds of a config.
     */
    public static BufferedImage render(long seed, int identity, int index, int size) {
        FaceGenome genome = FaceGenome.of(seed, identity);
        FaceVariation variation = FaceVariation.of(seed, identity, index);
        BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.scale(size, size);
            g.translate(0.5, 0.5);
            FacePainter.paint(g, genome, variation);
        } finally {
            g.dispose();
        }
        PhotoEffects.apply(image, variation);
        return image;
    }

    /** Where the {@link FaceLayout#LANDMARKS} landmarks of that image fall, (x, y) in pixels. */
    static double[] landmarks(long seed, int identity, int index, int size) {
        return new FaceLayout(FaceGenome.of(seed, identity), FaceVariation.of(seed, identity, index)).landmarks(size);
    }

    /** The identity number of {@code identity}, checked against this source's range. */
    private int number(String identity) {
        int first = config.firstIdentity();
        int number = identity != null && ID_PATTERN.matcher(identity).matches()
                ? Integer.parseInt(identity.substring(PREFIX.length())) : -1;
        if (number < first || number >= first + config.identities() || !identityId(number).equals(identity)) {
            throw new IllegalArgumentException("unknown identity " + identity + " in " + describe()
                    + ": ids run from " + identityId(first) + " to " + identityId(first + config.identities() - 1));
        }
        return number;
    }

    @Override
    public String describe() {
        return "synthetic(seed=" + config.seed() + ", identities=" + config.identities() + ", images="
                + config.imagesPerIdentity() + ", " + config.size() + "x" + config.size() + ", first="
                + config.firstIdentity() + ")";
    }
}
