package io.facestream.trainer.head;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import io.facestream.trainer.loss.LossKind;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scatter.ScatterUpdate;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * A classification head over every identity the trainer has seen, which grows while training runs: the weight rows
 * {@code W [classes, D]} (plus biases for softmax), their Adam state and the {@link IdentityRows} map. Lives beside
 * the DL4J graph (whose parameter layout is fixed once built) and is stepped by {@link HeadLoss} during the graph's
 * fit and by {@link #update} after it.
 *
 * <p>A step: {@link #prepare} maps the batch's identities to rows, adding a row for each new identity (existing
 * rows are not touched), and chooses the step's classes: all of them, or above {@code partialFcAbove} classes the
 * batch's classes plus a uniform sample of the others (Partial FC), drawn from a generator seeded by the step so a
 * resumed run draws the same. The loss's first pass imprints each new row with the normalised mean of its images'
 * normalised features in the batch. {@link #update} applies Adam to the step's rows only; a new row starts with
 * zero moments. Storage has spare capacity (doubling) so a new row does not copy the matrix each step.
 *
 * <p>Not thread-safe: the trainer thread owns it, like the network. {@link #close()} frees its native memory.
 */
public final class ClassHead implements AutoCloseable {
    private static final int INITIAL_CAPACITY = 256;
    private static final double BETA1 = 0.9;
    private static final double BETA2 = 0.999;
    private static final double EPSILON = 1e-8;
    private static final double TINY = 1e-12;

    private final LossKind kind;
    private final int dim;
    private final double scale;
    private final double margin;
    private final int partialFcAbove;
    private final double partialFcRate;
    private final long seed;
    private final DataType type;
    private final IdentityRows identities;
    private final BitSet pending = new BitSet();
    private INDArray weights;
    private INDArray moment1;
    private INDArray moment2;
    /** Softmax only: biases and their moments, {@code [capacity]}. */
    private INDArray bias;
    private INDArray biasMoment1;
    private INDArray biasMoment2;
    private long updates;
    private Step step;
    /** Per row: 1 + the step whose batch last held the row's identity here; 0 for none since this head was made. */
    private long[] lastSeen;
    /** Other replicas' classes, held as negatives only (never stepped here); none when null. */
    private Foreign foreign;

    /** The settings of a head. */
    public record Settings(LossKind kind, int dim, double scale, double margin, int partialFcAbove,
                           double partialFcRate, long seed) {
        public Settings {
            if (!kind.hasHead()) {
                throw new IllegalArgumentException("loss " + kind + " has no head");
            }
            if (dim < 1) {
                throw new IllegalArgumentException("head dimension must be >= 1, got " + dim);
            }
        }
    }

    /** An empty head (no classes yet). */
    public ClassHead(Settings settings, DataType type) {
        this(settings, type, new IdentityRows(), 0);
    }

    private ClassHead(Settings s, DataType type, IdentityRows identities, long updates) {
        this.kind = s.kind();
        this.dim = s.dim();
        this.scale = s.scale();
        this.margin = s.margin();
        this.partialFcAbove = s.partialFcAbove();
        this.partialFcRate = s.partialFcRate();
        this.seed = s.seed();
        this.type = type;
        this.identities = identities;
        this.updates = updates;
        int capacity = Math.max(INITIAL_CAPACITY, identities.size());
        lastSeen = new long[capacity];
        weights = Nd4j.zeros(type, capacity, dim);
        moment1 = Nd4j.zeros(type, capacity, dim);
        moment2 = Nd4j.zeros(type, capacity, dim);
        if (kind == LossKind.SOFTMAX) {
            bias = Nd4j.zeros(type, capacity);
            biasMoment1 = Nd4j.zeros(type, capacity);
            biasMoment2 = Nd4j.zeros(type, capacity);
        }
    }

    /**
     * A head restored from a checkpoint: {@code arrays} are {@link #state()}'s, in its order.
     *
     * @throws IllegalArgumentException when the arrays do not fit the identity map and settings
     */
    public static ClassHead restore(Settings settings, DataType type, List<String> identitiesInRowOrder,
                                    long updates, List<INDArray> arrays) {
        ClassHead head = new ClassHead(settings, type, IdentityRows.of(identitiesInRowOrder), updates);
        try {
            fill(head, settings, type, arrays);
        } catch (RuntimeException e) {
            head.close(); // its off-heap rows, not left to the garbage collector
            throw e;
        }
        return head;
    }

    private static void fill(ClassHead head, Settings settings, DataType type, List<INDArray> arrays) {
        int expected = settings.kind() == LossKind.SOFTMAX ? 6 : 3;
        if (arrays.size() != expected) {
            throw new IllegalArgumentException("a " + settings.kind() + " head has " + expected
                    + " state arrays, the checkpoint holds " + arrays.size());
        }
        int n = head.classes();
        INDArray[] targets = {head.weights, head.moment1, head.moment2, head.bias, head.biasMoment1,
                head.biasMoment2};
        for (int i = 0; i < expected; i++) {
            INDArray a = arrays.get(i);
            boolean rows = i < 3;
            boolean fits = rows ? a.rank() == 2 && a.size(0) == n && a.size(1) == settings.dim()
                    : a.length() == n;
            if (!fits && n > 0) {
                throw new IllegalArgumentException("head state array " + i + " has shape "
                        + java.util.Arrays.toString(a.shape()) + ", expected " + (rows ? "[" + n + ", "
                        + settings.dim() + "]" : "[" + n + "]") + " for " + n + " identities");
            }
            if (n > 0) {
                head.live(targets[i]).assign(rows ? a.castTo(type) : a.castTo(type).reshape(n));
            }
        }
    }

    public LossKind kind() {
        return kind;
    }

    public int classes() {
        return identities.size();
    }

    public IdentityRows identities() {
        return identities;
    }

    /** Adam steps taken (the bias correction's t). */
    public long updates() {
        return updates;
    }

    /** The classes of the current step: their rows in step order, or all rows when the step uses every class. */
    public int[] stepClasses() {
        requireStep();
        return step.active == null ? range(classes()) : step.active.clone();
    }

    /** A copy of row {@code r} of W. */
    public float[] row(int r) {
        if (r < 0 || r >= classes()) {
            throw new IndexOutOfBoundsException("row " + r + " of a head with " + classes() + " classes");
        }
        return weights.getRow(r).toFloatVector();
    }

    /**
     * Starts a step: maps each image's identity to its row (new identities get new rows, awaiting imprinting) and
     * picks the step's classes.
     *
     * @param imageIdentities the identity of each image of the batch, in row order
     * @param stepIndex       steps taken before this one (seeds the Partial FC sample)
     * @return the labels for the loss: {@code [N, 1]}, each image's class as an index into the step's classes
     */
    public INDArray prepare(List<String> imageIdentities, long stepIndex) {
        int n = imageIdentities.size();
        int[] rows = new int[n];
        Set<String> leaving = null;
        for (int i = 0; i < n; i++) {
            int before = classes();
            rows[i] = identities.rowOrAdd(imageIdentities.get(i));
            if (classes() > before) {
                pending.set(rows[i]);
                if (foreign != null && foreign.contains(imageIdentities.get(i))) {
                    if (leaving == null) {
                        leaving = new java.util.HashSet<>();
                    }
                    leaving.add(imageIdentities.get(i));
                }
            }
            seen(rows[i], stepIndex);
        }
        if (leaving != null) {
            leaveOutForeign(leaving);
        }
        ensureCapacity(classes());
        int[] active = null;
        int[] targets = rows.clone();
        if (classes() > partialFcAbove) {
            active = sample(rows, stepIndex);
            java.util.Map<Integer, Integer> position = new java.util.HashMap<>();
            for (int p = 0; p < active.length; p++) {
                position.put(active[p], p);
            }
            for (int i = 0; i < n; i++) {
                targets[i] = position.get(rows[i]);
            }
        }
        release();
        step = new Step(rows, active, targets);
        step.foreignPick = foreignSample(stepIndex);
        INDArray labels = Nd4j.create(type, n, 1);
        for (int i = 0; i < n; i++) {
            labels.putScalar(i, 0, targets[i]);
        }
        return labels;
    }

    /**
     * The loss (and, if {@code gradients}, its gradients, kept for {@link #update}) of the prepared step on the
     * batch's features. The first call of a step imprints its new rows.
     *
     * @param features {@code [N, D]}, one row per image of {@link #prepare}
     * @param targets  each row's index into the step's classes, as {@link #prepare} returned them
     */
    public HeadMath.Result forward(INDArray features, int[] targets, boolean gradients) {
        requireStep();
        if (features.size(0) != step.rows.length || features.size(1) != dim) {
            throw new IllegalArgumentException("head features must be [" + step.rows.length + ", " + dim
                    + "], got " + java.util.Arrays.toString(features.shape()));
        }
        // the loss runs inside DL4J's layer workspace, which closes after the step; the head's arrays outlive it
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            return forwardDetached(features.dup().castTo(type), targets, gradients);
        }
    }

    private HeadMath.Result forwardDetached(INDArray features, int[] targets, boolean gradients) {
        HeadMath.Result last = step.result;
        if (last != null && Arrays.equals(targets, step.resultTargets) && identical(last.features(), features)) {
            // DL4J asks a step's output layer for the gradient and then for the score, on the same features: the
            // gradient pass already computed the losses
            return last;
        }
        imprint(features);
        if (step.w == null) {
            if (step.active == null) {
                step.w = live(weights);
                step.b = bias == null ? null : live(bias);
            } else {
                step.w = Nd4j.pullRows(weights, 1, step.active);
                step.b = bias == null ? null : entries(bias, step.active);
            }
        }
        if (foreign != null && step.foreignW == null) {
            // the foreign rows as held, or Partial FC's sample of them: a block of negatives of their own, never
            // copied in with the step's rows
            int[] pick = step.foreignPick;
            step.foreignOwned = pick != null;
            step.foreignW = pick == null ? foreign.rows : Nd4j.pullRows(foreign.rows, 1, pick);
            step.foreignB = foreign.biases == null ? null : pick == null ? foreign.biases
                    : entries(foreign.biases, pick);
        }
        HeadMath.Result r = HeadMath.pass(kind, features, targets, step.w, step.b, step.foreignW, step.foreignB,
                scale, margin, gradients);
        if (gradients) {
            step.result = r;
            step.resultTargets = targets.clone();
        }
        return r;
    }

    /** Bit for bit the same values (INDArray.equals allows a tolerance, which a gradient check's nudges pass). */
    private static boolean identical(INDArray a, INDArray b) {
        if (!Arrays.equals(a.shape(), b.shape()) || a.dataType() != b.dataType()) {
            return false;
        }
        try (INDArray difference = a.sub(b)) {
            return difference.amaxNumber().doubleValue() == 0;
        }
    }

    /** The loss and its gradients of the step's last gradient pass, or null. */
    public HeadMath.Result lastResult() {
        return step == null ? null : step.result;
    }

    /**
     * One Adam step on the step's rows with the gradient of the mean row loss (as DL4J scales the backbone's), then
     * decoupled weight decay {@code W -= lr * weightDecay * W}.
     */
    public void update(double learningRate, double weightDecay) {
        requireStep();
        HeadMath.Result r = step.result;
        if (r == null) {
            throw new IllegalStateException("no gradient for this step: the loss did not run");
        }
        updates++;
        double n = step.rows.length;
        double alpha = learningRate * Math.sqrt(1 - Math.pow(BETA2, updates)) / (1 - Math.pow(BETA1, updates));
        // the pass gives the step's own rows their gradient only: the foreign rows' is left to the replica that
        // owns them
        adam(weights, moment1, moment2, r.dw().divi(n), alpha, learningRate * weightDecay);
        if (bias != null) {
            INDArray db = r.db().reshape(r.db().length(), 1);
            adam(bias.reshape(bias.length(), 1), biasMoment1.reshape(bias.length(), 1),
                    biasMoment2.reshape(bias.length(), 1), db.divi(n), alpha, 0);
        }
        release();
        step.result = null;
    }

    /** W, its two Adam moments and (softmax) b and its moments, each for the live rows only: a checkpoint's state. */
    public List<INDArray> state() {
        List<INDArray> out = new ArrayList<>(List.of(live(weights), live(moment1), live(moment2)));
        if (bias != null) {
            out.addAll(List.of(live(bias), live(biasMoment1), live(biasMoment2)));
        }
        return out;
    }

    /** Bytes of native memory held by the head's storage (W, moments and biases, spare capacity included). */
    public long storageBytes() {
        long bytes = 3L * weights.length() * type.width();
        if (bias != null) {
            bytes += 3L * bias.length() * type.width();
        }
        return bytes;
    }

    /**
     * Holds other replicas' classes as extra negatives of every step (a mesh whose replicas each train the rows of
     * their own identities): their rows join the step's classes after this head's own, get no gradient applied here
     * and replace whatever was held before. An identity this head has a row for is left out (its own row is the
     * positive), and so is one that gets a row here later. Call between steps: a step prepared before the call
     * contrasts with every foreign row, unsampled.
     *
     * @param identities the rows' identities, in row order
     * @param rows       {@code [identities, D]}; copied
     * @param biases     softmax: {@code [identities]}, copied; else null
     * @return the classes held
     * @throws IllegalArgumentException when the shapes do not fit the identities, the embedding or the loss
     */
    public int holdForeign(List<String> identities, INDArray rows, INDArray biases) {
        int n = identities.size();
        if (rows.rank() != 2 || rows.size(0) != n || rows.size(1) != dim) {
            throw new IllegalArgumentException("foreign rows must be [" + n + ", " + dim + "], got "
                    + Arrays.toString(rows.shape()));
        }
        if ((bias != null) != (biases != null) || (biases != null && biases.length() != n)) {
            throw new IllegalArgumentException("a " + kind + " head takes " + (bias != null ? n + " foreign biases"
                    : "no foreign biases") + ", got " + (biases == null ? "none" : biases.length()));
        }
        List<String> kept = new ArrayList<>(n);
        List<Integer> at = new ArrayList<>(n);
        Set<String> unique = new java.util.HashSet<>(2 * n);
        for (int i = 0; i < n; i++) {
            String id = identities.get(i);
            if (!unique.add(id)) {
                throw new IllegalArgumentException("foreign identity \"" + id + "\" is listed twice");
            }
            if (this.identities.rowOf(id) < 0) {
                kept.add(id);
                at.add(i);
            }
        }
        dropForeign();
        if (!kept.isEmpty()) {
            try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                INDArray castRows = rows.castTo(type);
                INDArray castBiases = biases == null ? null : biases.castTo(type).reshape(n);
                INDArray w;
                INDArray b;
                if (kept.size() == n) {
                    // none left out (the usual case): one copy, no gather
                    w = castRows.dup('c');
                    b = castBiases == null ? null : castBiases.dup();
                } else {
                    int[] pick = at.stream().mapToInt(Integer::intValue).toArray();
                    w = Nd4j.pullRows(castRows, 1, pick);
                    b = castBiases == null ? null
                            : entries(castBiases, pick);
                }
                // a cast to another type is a copy of its own (to the same type it is the caller's array)
                if (castRows != rows) {
                    castRows.close();
                }
                if (castBiases != null && biases.dataType() != type) {
                    castBiases.close();
                }
                foreign = new Foreign(kept, w, b);
            }
        }
        release();
        return foreignClasses();
    }

    /** Classes held as negatives from other replicas ({@link #holdForeign}). */
    public int foreignClasses() {
        return foreign == null ? 0 : foreign.identities.size();
    }

    /** The identities held as foreign negatives, in their row order. */
    public List<String> foreignIdentities() {
        return foreign == null ? List.of() : List.copyOf(foreign.identities);
    }

    /**
     * 1 + the step (as {@link #prepare} numbered it) whose batch last held row {@code r}'s identity in this head, 0
     * when none has since the head was made or restored: which of two replicas trains an identity now.
     */
    public long lastSeen(int r) {
        if (r < 0 || r >= classes()) {
            throw new IndexOutOfBoundsException("row " + r + " of a head with " + classes() + " classes");
        }
        return r < lastSeen.length ? lastSeen[r] : 0;
    }

    /** A copy of the foreign row held for {@code identity}, or null when none is held. */
    public float[] foreignRow(String identity) {
        Integer i = foreign == null ? null : foreign.index.get(identity);
        return i == null ? null : foreign.rows.getRow(i).toFloatVector();
    }

    /** How many foreign rows the prepared step's pass contrasted with (0 before its forward pass or without any). */
    int stepForeignRows() {
        return step == null || step.foreignW == null ? 0 : (int) step.foreignW.size(0);
    }

    /** Frees the foreign rows: the steps go on with this head's own classes only. */
    public void dropForeign() {
        if (foreign != null) {
            release();
            foreign.close();
            foreign = null;
        }
        if (step != null) {
            step.foreignPick = null; // drawn for the rows held before; a step prepared before this takes them all
        }
    }

    @Override
    public void close() {
        dropForeign();
        release();
        for (INDArray a : new INDArray[] {weights, moment1, moment2, bias, biasMoment1, biasMoment2}) {
            if (a != null && !a.wasClosed()) {
                a.close();
            }
        }
    }

    /** The first {@link #classes()} rows (or entries) of a storage array, as a view. */
    private INDArray live(INDArray storage) {
        return storage.rank() == 1 ? storage.get(NDArrayIndex.interval(0, classes()))
                : storage.get(NDArrayIndex.interval(0, classes()), NDArrayIndex.all());
    }

    private void adam(INDArray storage, INDArray m1, INDArray m2, INDArray grad, double alpha, double decay) {
        boolean all = step.active == null;
        INDArray w = all ? live(storage) : Nd4j.pullRows(storage, 1, step.active);
        INDArray a = all ? live(m1) : Nd4j.pullRows(m1, 1, step.active);
        INDArray b = all ? live(m2) : Nd4j.pullRows(m2, 1, step.active);
        a.muli(BETA1).addi(grad.mul(1 - BETA1));
        b.muli(BETA2).addi(grad.mul(grad).muli(1 - BETA2));
        INDArray delta = a.mul(alpha).divi(Transforms.sqrt(b, true).addi(EPSILON));
        if (decay > 0) {
            delta.addi(w.mul(decay));
        }
        w.subi(delta);
        if (!all) {
            INDArray indices = Nd4j.createFromArray(step.active);
            Nd4j.scatterUpdate(ScatterUpdate.UpdateOp.ASSIGN, storage, indices, w, 1);
            Nd4j.scatterUpdate(ScatterUpdate.UpdateOp.ASSIGN, m1, indices, a, 1);
            Nd4j.scatterUpdate(ScatterUpdate.UpdateOp.ASSIGN, m2, indices, b, 1);
        }
    }

    /** Sets each pending row of this step to the normalised mean of its images' normalised features. */
    private void imprint(INDArray features) {
        if (pending.isEmpty()) {
            return;
        }
        for (int i = 0; i < step.rows.length; i++) {
            int row = step.rows[i];
            if (!pending.get(row)) {
                continue;
            }
            INDArray sum = Nd4j.zeros(type, dim);
            for (int j = i; j < step.rows.length; j++) {
                if (step.rows[j] == row) {
                    INDArray f = features.getRow(j).castTo(type);
                    sum.addi(f.div(Math.max(f.norm2Number().doubleValue(), TINY)));
                }
            }
            weights.getRow(row).assign(sum.divi(Math.max(sum.norm2Number().doubleValue(), TINY)));
            pending.clear(row);
        }
        // the step's gathered rows (and their block of foreign rows) were taken before imprinting
        release();
    }

    /**
     * The foreign rows of a step: all of them, or, when the own and foreign classes together are above
     * {@code partialFcAbove}, a uniform sample of {@code partialFcRate} of them (Partial FC's rate, its own draw).
     */
    private int[] foreignSample(long stepIndex) {
        int f = foreignClasses();
        if (f == 0 || classes() + f <= partialFcAbove) {
            return null;
        }
        int want = Math.max(1, Math.min(f, (int) Math.ceil(partialFcRate * f)));
        if (want == f) {
            return null;
        }
        return draw(new int[0], f, want, new SplittableRandom(~seed * 0x9E3779B97F4A7C15L + stepIndex));
    }

    private int[] sample(int[] rows, long stepIndex) {
        int n = classes();
        int batchRows = (int) Arrays.stream(rows).distinct().count();
        int want = Math.min(n, Math.max(batchRows, (int) Math.ceil(partialFcRate * n)));
        return draw(rows, n, want, new SplittableRandom(seed * 0x9E3779B97F4A7C15L + stepIndex));
    }

    /**
     * The distinct rows {@code forced} (in their order) then rows of {@code [0, n)} drawn by {@code random} until
     * {@code want} are chosen (no more than {@code forced} when those are already as many).
     */
    private static int[] draw(int[] forced, int n, int want, SplittableRandom random) {
        Set<Integer> chosen = new LinkedHashSet<>();
        for (int r : forced) {
            chosen.add(r);
        }
        while (chosen.size() < want) {
            chosen.add(random.nextInt(n));
        }
        return chosen.stream().mapToInt(Integer::intValue).toArray();
    }

    private void ensureCapacity(int needed) {
        long capacity = weights.size(0);
        if (needed <= capacity) {
            return;
        }
        long grown = Math.max(needed, 2 * capacity);
        int live = (int) capacity;
        weights = grow(weights, grown, live);
        moment1 = grow(moment1, grown, live);
        moment2 = grow(moment2, grown, live);
        if (bias != null) {
            bias = grow(bias, grown, live);
            biasMoment1 = grow(biasMoment1, grown, live);
            biasMoment2 = grow(biasMoment2, grown, live);
        }
    }

    private INDArray grow(INDArray old, long capacity, int rows) {
        INDArray bigger = old.rank() == 1 ? Nd4j.zeros(type, capacity) : Nd4j.zeros(type, capacity, dim);
        if (old.rank() == 1) {
            bigger.get(NDArrayIndex.interval(0, rows)).assign(old);
        } else {
            bigger.get(NDArrayIndex.interval(0, rows), NDArrayIndex.all()).assign(old);
        }
        // the old storage is garbage now; free its native memory instead of waiting for the collector
        old.close();
        return bigger;
    }

    /** Frees the step's gathered copies (views of the storage are left alone). */
    private void release() {
        if (step != null && step.active != null) {
            // with a sampled set of rows both are gathered copies, not views
            if (step.w != null && !step.w.wasClosed()) {
                step.w.close();
            }
            if (step.b != null && !step.b.wasClosed()) {
                step.b.close();
            }
        }
        if (step != null) {
            if (step.foreignOwned) {
                // Partial FC's sample of the foreign rows: gathered copies (else the held rows themselves)
                for (INDArray a : new INDArray[] {step.foreignW, step.foreignB}) {
                    if (a != null && !a.wasClosed()) {
                        a.close();
                    }
                }
            }
            step.w = null;
            step.b = null;
            step.foreignW = null;
            step.foreignB = null;
            step.foreignOwned = false;
        }
    }

    private void seen(int row, long stepIndex) {
        if (row >= lastSeen.length) {
            lastSeen = Arrays.copyOf(lastSeen, Math.max(row + 1, 2 * lastSeen.length));
        }
        lastSeen[row] = stepIndex + 1;
    }

    /** Drops identities from the foreign rows, in one copy: they have rows of their own here now. */
    private void leaveOutForeign(Set<String> leaving) {
        Foreign f = foreign;
        List<String> ids = new ArrayList<>(f.identities.size());
        for (String id : f.identities) {
            if (!leaving.contains(id)) {
                ids.add(id);
            }
        }
        foreign = null; // holdForeign copies what it keeps; the old rows are freed below
        release(); // a step's block of them, when it has one, goes with them
        try {
            if (!ids.isEmpty()) {
                int[] pick = ids.stream().mapToInt(f.index::get).toArray();
                try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                    foreign = new Foreign(ids, Nd4j.pullRows(f.rows, 1, pick), f.biases == null ? null
                            : entries(f.biases, pick));
                }
            }
        } finally {
            f.close();
        }
    }

    private void requireStep() {
        if (step == null) {
            throw new IllegalStateException("no step prepared: call prepare with the batch's identities first");
        }
    }

    /** The entries {@code pick} of a vector, gathered into a new vector. */
    private static INDArray entries(INDArray vector, int[] pick) {
        return Nd4j.pullRows(vector.reshape(vector.length(), 1), 1, pick).reshape(pick.length);
    }

    private static int[] range(int n) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = i;
        }
        return out;
    }

    /** The state of the step being trained. */
    private static final class Step {
        final int[] rows;
        final int[] active;
        final int[] targets;
        INDArray w;
        INDArray b;
        HeadMath.Result result;
        int[] resultTargets;
        /** The foreign rows this step contrasts with (indices into them), or null for all of them. */
        int[] foreignPick;
        /** The foreign rows (and softmax biases) this step contrasts with, while foreign rows are held. */
        INDArray foreignW;
        INDArray foreignB;
        /** Whether {@link #foreignW} and {@link #foreignB} are this step's gathered copies (else the held rows). */
        boolean foreignOwned;

        Step(int[] rows, int[] active, int[] targets) {
            this.rows = rows;
            this.active = active;
            this.targets = targets;
        }
    }

    /** Other replicas' rows held as negatives: detached copies this head owns. */
    private static final class Foreign {
        final List<String> identities;
        final java.util.Map<String, Integer> index = new java.util.HashMap<>();
        final INDArray rows;
        final INDArray biases;

        Foreign(List<String> identities, INDArray rows, INDArray biases) {
            this.identities = List.copyOf(identities);
            for (int i = 0; i < identities.size(); i++) {
                index.put(identities.get(i), i);
            }
            this.rows = rows;
            this.biases = biases;
        }

        boolean contains(String identity) {
            return index.containsKey(identity);
        }

        void close() {
            if (!rows.wasClosed()) {
                rows.close();
            }
            if (biases != null && !biases.wasClosed()) {
                biases.close();
            }
        }
    }
}
