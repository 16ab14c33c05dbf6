package io.facestream.dataset;

import java.awt.Color;
import java.util.SplittableRandom;

/**
 * The fixed look of one synthetic identity: face geometry, colouring, hairstyle and accessories. Lengths are in
 * units of the image side, with the face centre at (0, 0) and y pointing down. Colours come from small palettes
 * shared by many identities, so no single attribute identifies a person; the combination does.
 */
record FaceGenome(
        double faceHalfW, double faceHalfH, double jaw,
        Color skin, Color hair, Color iris, Color lip,
        double eyeY, double eyeDx, double eyeHalfW, double eyeAspect, double eyeTilt,
        double browGap, double browThick, double browTilt, double browArch, double browLen,
        double noseLen, double noseHalfW, int noseStyle,
        double mouthY, double mouthHalfW, double lipThick,
        double earSize, double earY,
        int hairStyle, double hairVolume, double hairline, double parting,
        int glasses, Color glassesColor, boolean beard, boolean mustache, int hat, Color hatColor,
        boolean mole, double moleX, double moleY) {

    static final int HAIR_BALD = 0;
    static final int HAIR_SHORT = 1;
    static final int HAIR_LONG = 2;
    static final int HAIR_FRINGE = 3;
    static final int HAIR_BUN = 4;
    static final int HAIR_CURLY = 5;
    static final int HAIR_STYLES = 6;

    static final int GLASSES_NONE = 0;
    static final int GLASSES_ROUND = 1;
    static final int GLASSES_RECT = 2;
    static final int GLASSES_SUN = 3;

    static final int HAT_NONE = 0;
    static final int HAT_BEANIE = 1;
    static final int HAT_CAP = 2;

    private static final Color[] SKIN = {
            new Color(250, 222, 196), new Color(238, 196, 162), new Color(224, 174, 136), new Color(200, 145, 106),
            new Color(176, 122, 86), new Color(145, 96, 64), new Color(112, 74, 48), new Color(84, 56, 38)};
    private static final Color[] HAIR = {
            new Color(24, 21, 19), new Color(58, 40, 28), new Color(104, 70, 42), new Color(140, 62, 32),
            new Color(212, 176, 112), new Color(148, 146, 142), new Color(222, 218, 210)};
    private static final Color[] IRIS = {
            new Color(92, 58, 32), new Color(42, 32, 26), new Color(70, 112, 160), new Color(82, 122, 84)};
    private static final Color[] ACCESSORY = {
            new Color(20, 20, 24), new Color(110, 70, 40), new Color(190, 160, 70), new Color(160, 30, 40),
            new Color(40, 60, 140), new Color(60, 120, 70), new Color(200, 200, 205)};

    /** The genome of identity {@code index} under {@code seed}; depends on nothing else. */
    static FaceGenome of(long seed, long index) {
        SplittableRandom r = Seeds.stream(seed, 1, index);
        double halfH = r.nextDouble(0.27, 0.33);
        double halfW = halfH * r.nextDouble(0.66, 0.88);
        Color skin = jitter(SKIN[r.nextInt(SKIN.length)], r, 10);
        int hairIndex = r.nextInt(HAIR.length);
        Color hair = jitter(HAIR[hairIndex], r, 22);
        Color iris = IRIS[r.nextInt(IRIS.length)];
        Color lip = blend(skin, new Color(170, 60, 70), r.nextDouble(0.25, 0.55));
        double eyeHalfW = halfW * r.nextDouble(0.15, 0.24);
        int hairStyle = r.nextInt(HAIR_STYLES);
        double glassesRoll = r.nextDouble();
        int glasses = glassesRoll < 0.18 ? GLASSES_ROUND : glassesRoll < 0.36 ? GLASSES_RECT
                : glassesRoll < 0.42 ? GLASSES_SUN : GLASSES_NONE;
        double hatRoll = r.nextDouble();
        int hat = hatRoll < 0.1 ? HAT_BEANIE : hatRoll < 0.2 ? HAT_CAP : HAT_NONE;
        return new FaceGenome(
                halfW, halfH, r.nextDouble(0.3, 0.95),
                skin, hair, iris, lip,
                r.nextDouble(-0.07, 0.0) , halfW * r.nextDouble(0.36, 0.52), eyeHalfW,
                r.nextDouble(0.38, 0.65), r.nextDouble(-0.18, 0.18),
                r.nextDouble(0.012, 0.04), r.nextDouble(0.009, 0.024), r.nextDouble(-0.35, 0.35),
                r.nextDouble(-0.004, 0.018), r.nextDouble(0.9, 1.5),
                halfH * r.nextDouble(0.22, 0.42), halfW * r.nextDouble(0.12, 0.24), r.nextInt(3),
                halfH * r.nextDouble(0.42, 0.62), halfW * r.nextDouble(0.26, 0.48), r.nextDouble(0.007, 0.02),
                halfH * r.nextDouble(0.2, 0.3), r.nextDouble(-0.03, 0.02),
                hairStyle, r.nextDouble(0.02, 0.075), halfH * r.nextDouble(0.45, 0.8), r.nextDouble(-1, 1),
                glasses, ACCESSORY[r.nextInt(ACCESSORY.length)], r.nextDouble() < 0.3, r.nextDouble() < 0.3,
                hat, ACCESSORY[r.nextInt(ACCESSORY.length)],
                r.nextDouble() < 0.4, r.nextDouble(-0.6, 0.6), r.nextDouble(-0.2, 0.6));
    }

    private static Color jitter(Color c, SplittableRandom r, int amount) {
        return new Color(clamp(c.getRed() + r.nextInt(-amount, amount + 1)),
                clamp(c.getGreen() + r.nextInt(-amount, amount + 1)),
                clamp(c.getBlue() + r.nextInt(-amount, amount + 1)));
    }

    /** {@code a} moved towards {@code b} by {@code t} in [0, 1]. */
    static Color blend(Color a, Color b, double t) {
        return new Color(clamp((int) Math.round(a.getRed() + (b.getRed() - a.getRed()) * t)),
                clamp((int) Math.round(a.getGreen() + (b.getGreen() - a.getGreen()) * t)),
                clamp((int) Math.round(a.getBlue() + (b.getBlue() - a.getBlue()) * t)));
    }

    /** {@code c} scaled by {@code f} (darker below 1). */
    static Color shade(Color c, double f) {
        return new Color(clamp((int) Math.round(c.getRed() * f)), clamp((int) Math.round(c.getGreen() * f)),
                clamp((int) Math.round(c.getBlue() * f)));
    }

    static int clamp(int v) {
        return v < 0 ? 0 : Math.min(v, 255);
    }
}
