package io.facestream.server.progress;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.io.PrintStream;
import java.util.Locale;

/**
 * The terminal progress line of a run: step, loss, images/s, data wait, the last evaluation's 10-fold accuracy,
 * the samplers' rate and, in a bounded run, an ETA. Redrawn in place once a second on a terminal; on a pipe
 * (CI logs) printed as a plain line every {@code pipeEvery} redraws so logs stay readable.
 */
public final class ProgressLine {
    private final PrintStream out;
    private final long totalSteps;
    private final boolean terminal;
    private final long started = System.nanoTime();
    private final RunStatus status;
    private long timer = -1;
    private int ticks;
    private int lastWidth;

    public ProgressLine(RunStatus status, PrintStream out, long totalSteps, boolean terminal) {
        this.status = status;
        this.out = out;
        this.totalSteps = totalSteps;
        this.terminal = terminal;
    }

    /** Redraws every second. */
    public ProgressLine attach(Vertx vertx) {
        timer = vertx.setPeriodic(1000, id -> tick());
        return this;
    }

    public void detach(Vertx vertx) {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
        if (terminal && lastWidth > 0) {
            out.print('\n');
            out.flush();
        }
    }

    private void tick() {
        ticks++;
        String line = render();
        if (terminal) {
            String padded = line.length() < lastWidth ? line + " ".repeat(lastWidth - line.length()) : line;
            out.print('\r' + padded);
            out.flush();
            lastWidth = line.length();
        } else if (ticks % 10 == 0) {
            out.println(line);
        }
    }

    /** The line as it would be drawn now. */
    public String render() {
        JsonObject t = status.train();
        long step = t.getLong("step", 0L);
        StringBuilder sb = new StringBuilder();
        sb.append("step ").append(step);
        if (totalSteps > 0) {
            sb.append('/').append(totalSteps);
        }
        if (t.containsKey("loss")) {
            sb.append(String.format(Locale.ROOT, " | loss %.4f | %.0f img/s | wait %.0f%%", t.getDouble("loss"),
                    t.getDouble("imagesPerSecond"), 100 * t.getDouble("dataWaitFraction")));
        }
        JsonObject e = status.eval();
        if (e != null) {
            sb.append(String.format(Locale.ROOT, " | acc %.3f @%d", e.getJsonObject("lfw").getDouble("accuracyMean"),
                    e.getLong("step", 0L)));
        }
        String backend = t.getString("backend");
        if (backend != null) {
            sb.append(" | ").append(backend);
        }
        double samplerRate = status.samplerRate();
        if (samplerRate > 0) {
            sb.append(String.format(Locale.ROOT, " | sampler %.0f pairs/s", samplerRate));
        }
        double elapsed = (System.nanoTime() - started) / 1e9;
        sb.append(" | ").append(clock(elapsed));
        if (totalSteps > 0 && step > 0) {
            double eta = elapsed / step * (totalSteps - step);
            sb.append(" | ETA ").append(clock(eta));
        }
        return sb.toString();
    }

    private static String clock(double seconds) {
        long s = Math.max(0, Math.round(seconds));
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%02d:%02d", s / 60, s % 60);
    }
}
