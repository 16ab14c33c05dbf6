package io.facestream.dataset;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.Shape;
import java.awt.geom.AffineTransform;
import java.awt.geom.Arc2D;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.awt.geom.QuadCurve2D;
import java.awt.geom.Rectangle2D;
import java.awt.geom.RoundRectangle2D;
import java.util.SplittableRandom;

/**
 * Draws one synthetic face with Java2D: background clutter, then the head of a {@link FaceGenome} posed and
 * animated by a {@link FaceVariation} (positions from {@link FaceLayout}), then an optional occluder. The graphics
 * transform must map the square [-0.5, 0.5]² onto the image.
 */
final class FacePainter {
    private static final Color SCLERA = new Color(238, 234, 228);
    private static final Color LASH = new Color(38, 28, 26);
    private static final Color MOUTH_INSIDE = new Color(72, 22, 26);
    private static final Color TEETH = new Color(236, 232, 220);
    private static final Color LENS = new Color(22, 22, 28, 235);

    private final Graphics2D g;
    private final FaceGenome f;
    private final FaceVariation v;
    private final FaceLayout layout;
    private final SplittableRandom detail;
    private final double w;
    private final double h;
    private final double squeeze;

    private FacePainter(Graphics2D g, FaceGenome f, FaceVariation v) {
        this.g = g;
        this.f = f;
        this.v = v;
        this.layout = new FaceLayout(f, v);
        this.detail = new SplittableRandom(v.detailSeed());
        this.squeeze = layout.squeeze();
        this.w = layout.halfWidth();
        this.h = f.faceHalfH();
    }

    /** Paints the whole picture. */
    static void paint(Graphics2D g, FaceGenome f, FaceVariation v) {
        new FacePainter(g, f, v).paint();
    }

    private void paint() {
        AffineTransform base = g.getTransform();
        background();
        g.transform(layout.pose());
        if (f.hairStyle() == FaceGenome.HAIR_LONG) {
            longHairBehind();
        }
        body();
        ears();
        fill(faceOutline(1.0), f.skin());
        if (f.beard()) {
            beard();
        }
        for (int side = -1; side <= 1; side += 2) {
            eye(side);
            brow(side);
        }
        nose();
        mouth();
        if (f.mustache()) {
            mustache();
        }
        if (f.mole()) {
            fill(circle(x(f.moleX() * f.faceHalfW(), 0.7), f.moleY() * h * 0.6, 0.008),
                    FaceGenome.shade(f.skin(), 0.45));
        }
        hairOnTop();
        if (f.hat() != FaceGenome.HAT_NONE && v.wearsHat()) {
            hat();
        }
        if (f.glasses() != FaceGenome.GLASSES_NONE && v.wearsGlasses()) {
            glasses();
        }
        occluder();
        g.setTransform(base);
    }

    private double x(double faceX, double depth) {
        return layout.x(faceX, depth);
    }

    private double foreshortening(int side) {
        return layout.foreshortening(side);
    }

    private void background() {
        fill(new Rectangle2D.Double(-0.5, -0.5, 1, 1), v.background());
        for (int i = 0; i < v.clutter(); i++) {
            Color c = FaceVariation.randomColor(detail);
            g.setColor(detail.nextBoolean() ? c : new Color(c.getRed(), c.getGreen(), c.getBlue(), 150));
            double x = detail.nextDouble(-0.6, 0.5);
            double y = detail.nextDouble(-0.6, 0.5);
            double sw = detail.nextDouble(0.05, 0.5);
            double sh = detail.nextDouble(0.05, 0.5);
            switch (detail.nextInt(3)) {
                case 0 -> g.fill(new Rectangle2D.Double(x, y, sw, sh));
                case 1 -> g.fill(new Ellipse2D.Double(x, y, sw, sh));
                default -> {
                    g.setStroke(new BasicStroke((float) detail.nextDouble(0.01, 0.05)));
                    g.draw(new Line2D.Double(x, y, x + sw * 2 - 0.5, y + sh * 2 - 0.5));
                }
            }
        }
    }

    private void longHairBehind() {
        Path2D.Double p = new Path2D.Double();
        double hw = w * 1.25;
        p.moveTo(-hw, h * 1.35);
        p.lineTo(-hw, -h * 0.3);
        p.curveTo(-hw, -h * 1.3, hw, -h * 1.3, hw, -h * 0.3);
        p.lineTo(hw, h * 1.35);
        p.closePath();
        fill(p, f.hair());
    }

    private void body() {
        fill(new RoundRectangle2D.Double(-0.42, h + 0.07, 0.84, 0.5, 0.25, 0.25), v.shirt());
        fill(new Rectangle2D.Double(-w * 0.42, h * 0.4, w * 0.84, h * 0.8), FaceGenome.shade(f.skin(), 0.82));
    }

    private void ears() {
        Color ear = FaceGenome.shade(f.skin(), 0.9);
        for (int side = -1; side <= 1; side += 2) {
            double visible = 1 - 0.8 * Math.max(0, side * v.yaw()) + 0.25 * Math.max(0, -side * v.yaw());
            double rx = f.earSize() * 0.5 * visible;
            fill(new Ellipse2D.Double(side * w * 0.97 - rx, f.earY() - f.earSize(), 2 * rx, 2 * f.earSize()), ear);
        }
    }

    /** The head outline: an ellipse on top, a jaw of the genome's width below; {@code grow} enlarges it. */
    private Path2D faceOutline(double grow) {
        double fw = w * grow;
        double fh = h * grow;
        double k = 0.5523;
        double jw = fw * f.jaw();
        Path2D.Double p = new Path2D.Double();
        p.moveTo(-fw, 0);
        p.curveTo(-fw, -fh * k, -fw * k, -fh, 0, -fh);
        p.curveTo(fw * k, -fh, fw, -fh * k, fw, 0);
        p.curveTo(fw, fh * 0.5, jw, fh, 0, fh);
        p.curveTo(-jw, fh, -fw, fh * 0.5, -fw, 0);
        p.closePath();
        return p;
    }

    private void beard() {
        double top = f.eyeY() + 0.06;
        double jw = w * f.jaw();
        Path2D.Double p = new Path2D.Double();
        p.moveTo(-w * 0.99, top);
        p.curveTo(-w * 1.01, h * 0.55, -jw * 1.04, h * 1.08, 0, h * 1.08);
        p.curveTo(jw * 1.04, h * 1.08, w * 1.01, h * 0.55, w * 0.99, top);
        p.quadTo(x(0, 1), f.mouthY() - 0.07, -w * 0.99, top);
        p.closePath();
        fill(p, new Color(f.hair().getRed(), f.hair().getGreen(), f.hair().getBlue(), 225));
    }

    private void eye(int side) {
        double ew = f.eyeHalfW() * foreshortening(side);
        double eh = Math.max(0.004, f.eyeHalfW() * f.eyeAspect() * v.eyeOpen());
        AffineTransform saved = g.getTransform();
        g.translate(layout.eyeX(side), f.eyeY());
        g.rotate(-side * f.eyeTilt());
        Ellipse2D sclera = new Ellipse2D.Double(-ew, -eh, 2 * ew, 2 * eh);
        fill(sclera, SCLERA);
        Shape clip = g.getClip();
        g.clip(sclera);
        double irisX = (v.gazeX() + v.yaw() * 0.2) * ew;
        double r = f.eyeHalfW() * 0.55;
        fill(circle(irisX, 0, r), f.iris());
        fill(circle(irisX, 0, r * 0.45), Color.BLACK);
        g.setClip(clip);
        g.setStroke(new BasicStroke(0.008f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        g.setColor(LASH);
        g.draw(new Arc2D.Double(-ew, -eh, 2 * ew, 2 * eh, 0, 180, Arc2D.OPEN));
        g.setTransform(saved);
    }

    private void brow(int side) {
        double cx = layout.eyeX(side);
        double cy = layout.browY();
        double half = f.eyeHalfW() * f.browLen() * foreshortening(side);
        double dy = Math.sin(f.browTilt()) * half;
        Color c = FaceGenome.blend(FaceGenome.shade(f.hair(), 0.8), new Color(60, 45, 35), 0.35);
        stroke(new QuadCurve2D.Double(cx - side * half, cy + dy, cx, cy - f.browArch() * 2, cx + side * half, cy - dy),
                f.browThick(), c);
    }

    private void nose() {
        double tipX = x(0, 1.6);
        double topX = x(0, 0.9);
        double tipY = f.eyeY() + f.noseLen();
        double nw = f.noseHalfW() * squeeze;
        Color dark = FaceGenome.shade(f.skin(), 0.68);
        switch (f.noseStyle()) {
            case 0 -> {
                stroke(new Line2D.Double(topX + nw * 0.3, f.eyeY() + 0.02, tipX + nw * 0.5, tipY - 0.01), 0.006, dark);
                stroke(new QuadCurve2D.Double(tipX - nw, tipY - 0.005, tipX, tipY + nw * 0.6, tipX + nw, tipY - 0.005),
                        0.008, dark);
            }
            case 1 -> {
                Path2D.Double p = new Path2D.Double();
                p.moveTo(topX, f.eyeY() + 0.015);
                p.lineTo(tipX + nw, tipY);
                p.lineTo(tipX - nw, tipY);
                p.closePath();
                fill(p, FaceGenome.shade(f.skin(), 0.86));
                nostrils(tipX, tipY, nw);
            }
            default -> {
                nostrils(tipX, tipY, nw);
                stroke(new QuadCurve2D.Double(tipX - nw * 1.1, tipY - 0.012, tipX, tipY + 0.01, tipX + nw * 1.1,
                        tipY - 0.012), 0.006, dark);
            }
        }
    }

    private void nostrils(double tipX, double tipY, double nw) {
        Color c = FaceGenome.shade(f.skin(), 0.45);
        for (int side = -1; side <= 1; side += 2) {
            fill(new Ellipse2D.Double(tipX + side * nw * 0.55 - nw * 0.3, tipY - nw * 0.2, nw * 0.6, nw * 0.4), c);
        }
    }

    private void mouth() {
        double mx = layout.mouthX();
        double my = f.mouthY();
        double mw = layout.mouthHalfWidth();
        double cornerY = layout.mouthCornerY();
        double open = v.mouthOpen() * 0.045;
        double upperY = my - 0.004 - open * 0.6;
        double lowerY = my + v.smile() * 0.02 + open * 2;
        if (open > 0) {
            Path2D.Double inside = new Path2D.Double();
            inside.moveTo(mx - mw, cornerY);
            inside.quadTo(mx, upperY, mx + mw, cornerY);
            inside.quadTo(mx, lowerY, mx - mw, cornerY);
            inside.closePath();
            fill(inside, MOUTH_INSIDE);
            if (open > 0.015) {
                Shape clip = g.getClip();
                g.clip(inside);
                fill(new Rectangle2D.Double(mx - mw, upperY - 0.01, 2 * mw, (cornerY - upperY) * 0.5 + 0.012), TEETH);
                g.setClip(clip);
            }
        } else {
            stroke(new QuadCurve2D.Double(mx - mw, cornerY, mx, lowerY, mx + mw, cornerY), 0.005,
                    FaceGenome.shade(f.lip(), 0.5));
        }
        double t = f.lipThick();
        stroke(new QuadCurve2D.Double(mx - mw, cornerY - t * 0.3, mx, upperY - t * 0.9, mx + mw, cornerY - t * 0.3),
                t * 0.8, f.lip());
        stroke(new QuadCurve2D.Double(mx - mw * 0.9, cornerY + t * 0.3, mx, lowerY + t * 1.2, mx + mw * 0.9,
                cornerY + t * 0.3), t, f.lip());
    }

    private void mustache() {
        double mx = layout.mouthX();
        double mw = f.mouthHalfW() * 1.05 * squeeze;
        double y = f.mouthY() - f.lipThick() - 0.008;
        stroke(new QuadCurve2D.Double(mx - mw, y + 0.006, mx, y - 0.03, mx + mw, y + 0.006), 0.016, f.hair());
    }

    private void hairOnTop() {
        int style = f.hairStyle();
        if (style == FaceGenome.HAIR_BALD) {
            return;
        }
        double vol = style == FaceGenome.HAIR_SHORT ? f.hairVolume() * 0.4 : f.hairVolume();
        double temple = style == FaceGenome.HAIR_LONG ? h * 0.25 : -h * 0.12;
        double lineY = style == FaceGenome.HAIR_FRINGE ? -f.hairline() * 0.35 : -f.hairline();
        double partX = x(f.parting() * w * 0.35, 0.5);
        double tilt = style == FaceGenome.HAIR_FRINGE ? f.parting() * 0.06 : 0;
        Path2D.Double p = new Path2D.Double();
        p.moveTo(-w * 1.04, temple);
        p.curveTo(-w * 1.1 - vol * 0.6, -h * 0.75, -w * 0.6, -h - vol, 0, -h - vol);
        p.curveTo(w * 0.6, -h - vol, w * 1.1 + vol * 0.6, -h * 0.75, w * 1.04, temple);
        p.quadTo(w * 0.85, lineY - tilt, partX, lineY);
        p.quadTo(-w * 0.85, lineY + tilt, -w * 1.04, temple);
        p.closePath();
        fill(p, f.hair());
        if (style == FaceGenome.HAIR_CURLY) {
            Color curl = FaceGenome.shade(f.hair(), 0.85);
            for (int i = 0; i <= 8; i++) {
                double a = Math.PI * (1.15 + i * 0.0875);
                fill(circle(Math.cos(a) * (w + vol * 0.2), Math.sin(a) * (h + vol * 0.2), vol * 0.6), curl);
            }
        } else if (style == FaceGenome.HAIR_BUN) {
            fill(circle(partX * 0.5, -h - vol - 0.03, 0.045), f.hair());
        }
    }

    private void hat() {
        double top = f.hat() == FaceGenome.HAT_BEANIE ? -h * 1.45 : -h * 1.3;
        Path2D.Double dome = new Path2D.Double();
        dome.moveTo(-w * 1.1, -h * 0.5);
        dome.curveTo(-w * 1.15, top, w * 1.15, top, w * 1.1, -h * 0.5);
        dome.closePath();
        fill(dome, f.hatColor());
        Color trim = FaceGenome.shade(f.hatColor(), 0.72);
        if (f.hat() == FaceGenome.HAT_BEANIE) {
            fill(new Rectangle2D.Double(-w * 1.12, -h * 0.64, w * 2.24, h * 0.16), trim);
        } else {
            fill(new Ellipse2D.Double(x(-w, 1.0), -h * 0.6, 2 * w, 0.05), trim);
        }
    }

    private void glasses() {
        double ey = f.eyeY();
        double rw = f.eyeHalfW() * 1.7;
        double rh = f.eyeHalfW() * 1.25;
        g.setColor(f.glassesColor());
        double[] inner = new double[2];
        for (int side = -1; side <= 1; side += 2) {
            double cx = layout.eyeX(side);
            double hw = rw * foreshortening(side);
            Shape lens = f.glasses() == FaceGenome.GLASSES_ROUND
                    ? new Ellipse2D.Double(cx - hw, ey - rh, 2 * hw, 2 * rh)
                    : new RoundRectangle2D.Double(cx - hw, ey - rh, 2 * hw, 2 * rh, rh * 0.6, rh * 0.6);
            if (f.glasses() == FaceGenome.GLASSES_SUN) {
                fill(lens, LENS);
            }
            stroke(lens, 0.01, f.glassesColor());
            stroke(new Line2D.Double(cx + side * hw, ey - rh * 0.4, side * w, ey - rh * 0.5), 0.008,
                    f.glassesColor());
            inner[(side + 1) / 2] = cx - side * hw;
        }
        stroke(new QuadCurve2D.Double(inner[0], ey - rh * 0.3, (inner[0] + inner[1]) / 2, ey - rh * 0.7, inner[1],
                ey - rh * 0.3), 0.008, f.glassesColor());
    }

    private void occluder() {
        Color c = detail.nextBoolean() ? FaceVariation.randomColor(detail) : FaceGenome.shade(f.skin(), 0.9);
        double cx = detail.nextDouble(-w * 0.7, w * 0.7);
        double cy = detail.nextDouble(-h * 0.6, h * 0.7);
        if (v.occluder() == FaceVariation.OCCLUDER_BAR) {
            AffineTransform saved = g.getTransform();
            g.translate(cx, cy);
            g.rotate(detail.nextDouble(Math.PI));
            double thick = detail.nextDouble(0.05, 0.11);
            double len = detail.nextDouble(0.3, 0.8);
            fill(new Rectangle2D.Double(-len / 2, -thick / 2, len, thick), c);
            g.setTransform(saved);
        } else if (v.occluder() == FaceVariation.OCCLUDER_BLOB) {
            double rx = detail.nextDouble(0.06, 0.13);
            double ry = detail.nextDouble(0.06, 0.13);
            fill(new Ellipse2D.Double(cx - rx, cy - ry, 2 * rx, 2 * ry), c);
        }
    }

    private void fill(Shape s, Color c) {
        g.setColor(c);
        g.fill(s);
    }

    private void stroke(Shape s, double width, Color c) {
        g.setColor(c);
        g.setStroke(new BasicStroke((float) width, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        g.draw(s);
    }

    private static Ellipse2D circle(double cx, double cy, double r) {
        return new Ellipse2D.Double(cx - r, cy - r, 2 * r, 2 * r);
    }
}
