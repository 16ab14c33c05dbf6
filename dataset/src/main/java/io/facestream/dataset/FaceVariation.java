package io.facestream.dataset;

import java.awt.Color;
import java.util.SplittableRandom;

/**
 * What changes from one image of an identity to the next: pose, expression, accessories worn, lighting, camera
 * (blur, noise), background and occlusion. Lengths are in units of the image side; angles in radians.
 *
 * @param yaw         -1 (turned left) to 1 (turned right): features slide sideways, the face narrows
 * @param detailSeed  seeds the background clutter and the occluder, drawn while painting
 * @param noiseSeed   seeds the per-pixel sensor noise
 */
record FaceVariation(
        double angle, double shiftX, double shiftY, double scale, double yaw,
        double mouthOpen, double smile, double eyeOpen, double gazeX, double browRaise,
        boolean wearsGlasses, boolean wearsHat, Color shirt,
        double brightness, double gradient, double gradientAngle, double castR, double castG, double castB,
        int blurPasses, double noise, Color background, int clutter, int occluder, long detailSeed, long noiseSeed) {

    static final int OCCLUDER_NONE = 0;
    static final int OCCLUDER_BAR = 1;
    static final int OCCLUDER_BLOB = 2;

    private static final double MAX_ANGLE = Math.toRadians(6);

    /** The variation of image {@code image} of identity {@code identity}; depends on nothing else. */
    static FaceVariation of(long seed, long identity, long image) {
        SplittableRandom r = Seeds.stream(seed, 2, identity, image);
        double mouthOpen = r.nextDouble() < 0.2 ? r.nextDouble(0.2, 0.8) : 0;
        double eyeOpen = r.nextDouble() < 0.05 ? 0.12 : r.nextDouble(0.55, 1.1);
        double blurRoll = r.nextDouble();
        double occluderRoll = r.nextDouble();
        return new FaceVariation(
                r.nextDouble(-MAX_ANGLE, MAX_ANGLE), r.nextDouble(-0.03, 0.03), r.nextDouble(-0.03, 0.03),
                r.nextDouble(0.95, 1.05), r.nextDouble(-0.12, 0.12) + r.nextDouble(-0.08, 0.08),
                mouthOpen, r.nextDouble(-0.2, 0.6), eyeOpen, r.nextDouble(-0.15, 0.15), r.nextDouble(-0.004, 0.008),
                r.nextDouble() < 0.97, r.nextDouble() < 0.95, randomColor(r),
                r.nextDouble(0.8, 1.2), r.nextDouble(0, 0.35), r.nextDouble(0, 2 * Math.PI),
                r.nextDouble(0.93, 1.07), r.nextDouble(0.93, 1.07), r.nextDouble(0.93, 1.07),
                blurRoll < 0.8 ? 0 : blurRoll < 0.98 ? 1 : 2, r.nextDouble(1, 4), randomColor(r), r.nextInt(0, 4),
                occluderRoll < 0.03 ? OCCLUDER_BAR : occluderRoll < 0.06 ? OCCLUDER_BLOB : OCCLUDER_NONE,
                r.nextLong(), r.nextLong());
    }

    /** Any hue, mostly muted: fully saturated colours are rare in photographs. */
    static Color randomColor(SplittableRandom r) {
        return Color.getHSBColor((float) r.nextDouble(), (float) r.nextDouble(0, 0.85), (float) r.nextDouble(0.15, 1));
    }
}
