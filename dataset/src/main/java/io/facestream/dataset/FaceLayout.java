package io.facestream.dataset;

import java.awt.geom.AffineTransform;

/**
 * Where the parts of one face go: a {@link FaceGenome}'s geometry under a {@link FaceVariation}'s pose. Shared by
 * the painter and by {@link #landmarks}, so the landmarks are exactly where the features are drawn.
 */
final class FaceLayout {
    /** Landmarks: eyes, nose tip, mouth corners, chin, jaw sides, outer brow ends, crown. */
    static final int LANDMARKS = 11;

    private final FaceGenome f;
    private final FaceVariation v;
    private final double squeeze;

    FaceLayout(FaceGenome f, FaceVariation v) {
        this.f = f;
        this.v = v;
        this.squeeze = 1 - 0.1 * Math.abs(v.yaw());
    }

    /** How much a turned head narrows horizontally, 1 when it faces the camera. */
    double squeeze() {
        return squeeze;
    }

    /** Half-width of the face outline after the yaw squeeze. */
    double halfWidth() {
        return f.faceHalfW() * squeeze;
    }

    /** Horizontal position of a feature at face-space x; {@code depth} says how far it slides as the head turns. */
    double x(double faceX, double depth) {
        return faceX * squeeze + v.yaw() * 0.03 * depth;
    }

    /** How wide the feature on {@code side} (-1 left, 1 right) looks: the side turned away gets narrower. */
    double foreshortening(int side) {
        return 1 - 0.3 * Math.max(0, side * v.yaw());
    }

    /** Centre x of the eye (and brow, and lens) on {@code side}. */
    double eyeX(int side) {
        return x(side * f.eyeDx(), 0.8);
    }

    double mouthX() {
        return x(0, 1.0);
    }

    /** Half-width of the mouth: a smile widens it. */
    double mouthHalfWidth() {
        return f.mouthHalfW() * (1 + 0.15 * v.smile()) * squeeze;
    }

    /** Height of the mouth corners: a smile lifts them. */
    double mouthCornerY() {
        return f.mouthY() - v.smile() * 0.014;
    }

    double browY() {
        return f.eyeY() - f.eyeHalfW() * f.eyeAspect() - f.browGap() - v.browRaise();
    }

    /** Shift, in-plane rotation about the face centre, and scale, in units of the image side. */
    AffineTransform pose() {
        AffineTransform t = AffineTransform.getTranslateInstance(v.shiftX(), v.shiftY());
        t.rotate(v.angle());
        t.scale(v.scale(), v.scale());
        return t;
    }

    /** The {@link #LANDMARKS} landmarks in a {@code size}-pixel image, as (x, y) pairs in pixels. */
    double[] landmarks(int size) {
        double w = halfWidth();
        double h = f.faceHalfH();
        double jawX = w * (0.5 + 0.375 * f.jaw()); // the jaw curve's midpoint
        double jawY = h * 0.6875;
        double mw = mouthHalfWidth();
        double cornerY = mouthCornerY();
        double browHalf = f.eyeHalfW() * f.browLen();
        double browDy = Math.sin(f.browTilt()) * browHalf;
        double[] points = {
                eyeX(-1), f.eyeY(), eyeX(1), f.eyeY(),
                x(0, 1.6), f.eyeY() + f.noseLen(),
                mouthX() - mw, cornerY, mouthX() + mw, cornerY,
                0, h, -jawX, jawY, jawX, jawY,
                eyeX(-1) - browHalf * foreshortening(-1), browY() - browDy,
                eyeX(1) + browHalf * foreshortening(1), browY() - browDy,
                0, -h};
        AffineTransform t = AffineTransform.getScaleInstance(size, size);
        t.translate(0.5, 0.5);
        t.concatenate(pose());
        t.transform(points, 0, points, 0, LANDMARKS);
        return points;
    }
}
