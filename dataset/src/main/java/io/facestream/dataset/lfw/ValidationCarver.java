package io.facestream.dataset.lfw;

import io.facestream.protocol.FaceImage;
import io.facestream.dataset.IdentitySource;
import io.facestream.dataset.registry.DatasetConverter;
import io.facestream.dataset.formats.DatasetFormat;
import io.facestream.dataset.formats.DatasetOptions;
import io.facestream.dataset.formats.Labels;
import io.facestream.dataset.formats.ReadableView;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Carves held-out identities out of a training set into an LFW-style verification set: {@code OUT/pairs.txt},
 * {@code OUT/<name>/<name>_0001.jpg}, ... and {@code OUT/heldout.txt} listing the carved identities. The carved
 * identities must not be trained on, or the verification figures measure memory rather than generalisation; the
 * remaining identities can be written to a separate training set ({@code rest}).
 */
public final class ValidationCarver {
    private static final Logger LOG = LoggerFactory.getLogger(ValidationCarver.class);
    /** The file in the output directory listing the carved identities, one a line. */
    public static final String HELD_OUT_FILE = "heldout.txt";

    private ValidationCarver() {
    }

    /**
     * What to carve.
     *
     * @param pairs      pairs in total: {@code folds} folds of {@code pairs / (2 folds)} same-person and as many
     *                   different-person pairs, so it must be a multiple of {@code 2 * folds}
     * @param folds      folds of the pairs file (LFW has 10)
     * @param identities identities to hold out, each with at least 2 images
     * @param seed       seed of the choice of identities and pairs
     * @param rest       where to write the remaining identities, or null for none
     * @param restFormat the format of {@code rest}
     */
    public record Plan(int pairs, int folds, int identities, long seed, Path rest, DatasetFormat restFormat) {
        public Plan {
            if (folds < 1) {
                throw new IllegalArgumentException("folds must be >= 1, got " + folds);
            }
            if (pairs < 2 * folds || pairs % (2 * folds) != 0) {
                throw new IllegalArgumentException("pairs must be a positive multiple of 2 x folds = " + (2 * folds)
                        + " (each fold holds as many same-person as different-person pairs), got " + pairs);
            }
            if (identities < 2) {
                throw new IllegalArgumentException("at least 2 identities must be held out for different-person pairs, got "
                        + identities);
            }
        }
    }

    /** What was carved. */
    public record Result(List<String> heldOut, int pairs, long heldOutImages, long restImages) {
    }

    /**
     * @throws IllegalArgumentException if the source has too few identities with 2+ images for the plan
     * @throws java.nio.file.FileAlreadyExistsException if {@code out} or the rest directory is not empty
     */
    public static Result carve(IdentitySource source, Path out, Plan plan, DatasetOptions options) throws IOException {
        DatasetConverter.requireEmpty(out);
        if (plan.rest() != null) {
            DatasetConverter.requireEmpty(plan.rest());
        }
        Map<String, Long> labels = Labels.of(source);
        IdentitySource src = ReadableView.of(source);
        List<String> candidates = new ArrayList<>();
        for (String id : src.identities()) {
            if (src.imageCount(id) >= 2) {
                candidates.add(id);
            }
        }
        if (candidates.size() < plan.identities() || plan.identities() >= src.identities().size()) {
            throw new IllegalArgumentException("cannot hold out " + plan.identities() + " identities: the dataset has "
                    + src.identities().size() + " identities, " + candidates.size() + " of them with 2+ images, and "
                    + "at least one must be left to train on");
        }
        SplittableRandom rng = new SplittableRandom(plan.seed());
        for (int i = candidates.size() - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            candidates.set(j, candidates.set(i, candidates.get(j)));
        }
        Set<String> chosen = new HashSet<>(candidates.subList(0, plan.identities()));
        List<String> heldOut = src.identities().stream().filter(chosen::contains).toList();

        Files.createDirectories(out);
        long images = 0;
        for (String id : heldOut) {
            for (int i = 0, n = src.imageCount(id); i < n; i++) {
                FaceImage image = src.read(id, i);
                Path file = out.resolve(LfwPair.fileName(id, i + 1, extension(image)));
                Files.createDirectories(file.getParent());
                Files.write(file, image.bytes());
                images++;
            }
        }
        int perFold = plan.pairs() / (2 * plan.folds());
        LfwPairsFile.write(out.resolve("pairs.txt"), plan.folds(), perFold, pairs(src, heldOut, plan, perFold, rng));
        Files.write(out.resolve(HELD_OUT_FILE), heldOut, StandardCharsets.UTF_8);
        LOG.info("held out {} identities ({} images) of {} as {} pairs in {}", heldOut.size(), images,
                source.describe(), plan.pairs(), out);

        long restImages = 0;
        if (plan.rest() != null) {
            Subset rest = new Subset(src, src.identities().stream().filter(id -> !chosen.contains(id)).toList());
            Map<String, Long> restLabels = new LinkedHashMap<>();
            rest.identities().forEach(id -> restLabels.put(id, labels.get(id)));
            restImages = DatasetConverter.write(rest, plan.rest(), plan.restFormat(), restLabels, options);
        }
        return new Result(heldOut, plan.pairs(), images, restImages);
    }

    private static List<LfwPair> pairs(IdentitySource src, List<String> ids, Plan plan, int perFold, SplittableRandom rng) {
        List<LfwPair> pairs = new ArrayList<>(plan.pairs());
        Set<String> used = new HashSet<>();
        for (int fold = 0; fold < plan.folds(); fold++) {
            for (int k = 0; k < 2 * perFold; k++) {
                boolean same = k < perFold;
                LfwPair pair = null;
                // a few redraws avoid repeating a pair; a small set may have to repeat some
                for (int attempt = 0; attempt < 50 && (pair == null || !used.add(key(pair))); attempt++) {
                    pair = same ? samePair(src, ids, rng) : differentPair(src, ids, rng);
                }
                pairs.add(pair);
            }
        }
        return pairs;
    }

    private static String key(LfwPair p) {
        return p.name1() + '/' + p.image1() + '/' + p.name2() + '/' + p.image2();
    }

    private static LfwPair samePair(IdentitySource src, List<String> ids, SplittableRandom rng) {
        String id = ids.get(rng.nextInt(ids.size()));
        int n = src.imageCount(id);
        int a = rng.nextInt(n);
        int b = (a + 1 + rng.nextInt(n - 1)) % n;
        return new LfwPair(id, Math.min(a, b) + 1, id, Math.max(a, b) + 1, true, 0);
    }

    private static LfwPair differentPair(IdentitySource src, List<String> ids, SplittableRandom rng) {
        int x = rng.nextInt(ids.size());
        int y = (x + 1 + rng.nextInt(ids.size() - 1)) % ids.size();
        String a = ids.get(x);
        String b = ids.get(y);
        return new LfwPair(a, 1 + rng.nextInt(src.imageCount(a)), b, 1 + rng.nextInt(src.imageCount(b)), false, 0);
    }

    private static String extension(FaceImage image) {
        return switch (image.encoding()) {
            case JPEG -> "jpg";
            case PNG -> "png";
        };
    }

    /** Some identities of a source, in the order given. */
    private record Subset(IdentitySource source, List<String> identities) implements IdentitySource {
        @Override
        public int imageCount(String identity) {
            return source.imageCount(identity);
        }

        @Override
        public FaceImage read(String identity, int index) throws IOException {
            return source.read(identity, index);
        }

        @Override
        public String describe() {
            return "subset(" + identities.size() + " identities of " + source.describe() + ")";
        }

        @Override
        public void close() {
            // the source belongs to the caller
        }
    }
}
