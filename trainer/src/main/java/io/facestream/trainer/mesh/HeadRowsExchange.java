package io.facestream.trainer.mesh;

import io.facestream.dataset.files.AtomicFile;
import io.facestream.trainer.checkpoint.StepListener;
import io.facestream.trainer.head.ClassHead;
import io.facestream.trainer.loss.LossKind;
import io.facestream.trainer.model.EmbeddingModel;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;

/**
 * Gives every replica of a mesh the other replicas' class rows as negatives: the head stays sharded for its updates
 * (each replica steps the rows of the identities Kafka gives it), while each replica's softmax contrasts its batch
 * with every class of the mesh, as one trainer's does, instead of its own shard's. Every {@code every} steps a
 * replica writes its own rows (weights and softmax biases, no Adam moments) to {@code <dir>/<replica>.rows},
 * atomically, and reads the other replicas' files into {@link ClassHead#holdForeign}: the foreign rows are at most
 * about {@code every} steps old (plus an exchange's time). The trainer thread only copies its rows (between two
 * steps) and hands the rows read to the head; the files are written and read on a thread of the exchange's own, so
 * a large head does not hold the steps up ({@code bench}'s {@code HeadRowsBench} times both).
 *
 * <p>Only files written since this replica started count (a fresh mesh's replicas have run ids of their own, so
 * the files' age, not a run id, tells this run's from a finished one's); an identity in two files, as after a
 * rebalance or beside a replica that died, is taken from the replica whose batches held it last
 * ({@link ClassHead#lastSeen}), the file written last on a tie. Above {@code maxRows} foreign
 * classes a replica holds none and trains on its own shard (logged once): the copy costs {@code 4 x D} bytes a
 * class on every replica, so this is the head replicated while it fits and sharded above it.
 *
 * <p>The directory must be shared by the replicas (the checkpoint directory of the one-machine recipe and of the
 * compose stack); replicas on hosts without a shared directory only find their own file and train on their shard.
 * A file that cannot be read (torn, damaged, of another format version) is skipped with a warning naming it and
 * the reason, and counted ({@link #unreadable()}); it is another replica's, and the next write replaces it.
 */
public final class HeadRowsExchange implements StepListener {
    private static final Logger LOG = LoggerFactory.getLogger(HeadRowsExchange.class);
    /** "FSHR": FaceStream head rows. */
    static final int MAGIC = 0x46534852;
    static final int VERSION = 1;
    /** The folder under {@code trainer.checkpointDir} the trainer exchanges the rows in. */
    public static final String FOLDER = "head-rows";
    private static final String SUFFIX = ".rows";
    /** Floats copied at a time between native memory, the heap and the file (1 MB). */
    private static final int BLOCK_FLOATS = 1 << 18;
    /**
     * How often a trainer that gets no pairs exchanges anyway: a replica that starts later finds its file renewed
     * within this long.
     */
    static final Duration IDLE_REFRESH = Duration.ofSeconds(10);

    private final Path dir;
    private final Path own;
    private final String runId;
    private final long sinceMillis;
    private final int every;
    private final long maxRows;
    private final AtomicLong unreadable = new AtomicLong();
    private final long idleRefreshNanos;
    /** When the last exchange started (an idle trainer exchanges again after {@code idleRefreshNanos}). */
    private long lastStartNanos;
    /** The step whose rows the exchange last wrote to this replica's file, or -1. */
    private long publishedStep = -1;
    private boolean overWarned;
    private ExecutorService executor;
    private Future<Gathered> inFlight;
    private long inFlightStep;
    private int filesHeld;
    private int heldBefore;
    private volatile boolean swept;

    /**
     * @param dir       the folder shared by the replicas
     * @param replicaId this replica's {@code host:port}
     * @param runId     this replica's run, written into its file (for whoever reads it)
     * @param every     steps between two exchanges
     * @param maxRows   the most foreign classes a replica holds; above, it holds none
     */
    public HeadRowsExchange(Path dir, String replicaId, String runId, int every, long maxRows) {
        this(dir, replicaId, runId, every, maxRows, IDLE_REFRESH);
    }

    /** @param idleRefresh how often a trainer without pairs exchanges (see {@link #idle(ClassHead, long)}) */
    HeadRowsExchange(Path dir, String replicaId, String runId, int every, long maxRows, Duration idleRefresh) {
        if (every < 1) {
            throw new IllegalArgumentException("every must be >= 1, got " + every);
        }
        if (maxRows < 0) {
            throw new IllegalArgumentException("maxRows must be >= 0, got " + maxRows);
        }
        this.dir = dir;
        this.own = dir.resolve(MeshConfig.fileSafe(replicaId) + SUFFIX);
        this.runId = runId;
        // a couple of seconds' slack for file systems whose times are coarser than the clock's
        this.sinceMillis = System.currentTimeMillis() - 2_000;
        this.every = every;
        this.maxRows = maxRows;
        this.idleRefreshNanos = idleRefresh.toNanos();
        this.lastStartNanos = System.nanoTime() - idleRefreshNanos; // a restored head idle at start writes at once
    }

    /** Removes this replica's temporary files left by a process killed mid-write (up to a whole file each). */
    private void sweepTemporaries() {
        // AtomicFile's temporary names: "." + the target's name + "." + a random part + ".tmp"
        try (DirectoryStream<Path> left = Files.newDirectoryStream(dir, "." + own.getFileName() + ".*.tmp")) {
            for (Path f : left) {
                Files.deleteIfExists(f);
            }
        } catch (IOException e) {
            LOG.warn("mesh: cannot remove this replica's temporary class-rows files in {}: {}", dir, e.toString());
        }
    }

    /** This replica's file. */
    public Path file() {
        return own;
    }

    /** Other replicas' files skipped because they could not be read, so far. */
    public long unreadable() {
        return unreadable.get();
    }

    @Override
    public void afterStep(EmbeddingModel model, long step) {
        if (model.head() != null) {
            afterStep(model.head(), step);
        }
    }

    /**
     * On the trainer thread, after step {@code step}: holds the rows of the last exchange if it has finished (or
     * stops the trainer, loudly, if this replica's file could not be written), and every {@code every} steps copies
     * this replica's rows and starts the next exchange on a thread of its own (none while one is still running).
     */
    public void afterStep(ClassHead head, long step) {
        holdFinished(head);
        if (step % every == 0) {
            start(head, step);
        }
    }

    @Override
    public void idle(EmbeddingModel model, long step) {
        if (model.head() != null) {
            idle(model.head(), step);
        }
    }

    /**
     * On the trainer thread, when no batch came: holds the rows of a finished exchange, and exchanges again once
     * {@link #IDLE_REFRESH} has passed since the last one started. A replica without pairs (its partitions drained,
     * or a sampler paused) takes no steps; without this its file would not be rewritten, and a replica started
     * after that write ignores it (only files rewritten since a replica started count) and would train without its
     * classes until it stepped again. Without a step since the last write the rows are the same: only the file's
     * age is renewed.
     */
    public void idle(ClassHead head, long step) {
        holdFinished(head);
        if (System.nanoTime() - lastStartNanos >= idleRefreshNanos) {
            start(head, step);
        }
    }

    /** Holds the rows of the exchange in flight if it has finished; stops the trainer if its write failed. */
    private void holdFinished(ClassHead head) {
        Future<Gathered> done = inFlight;
        if (done != null && done.isDone()) {
            inFlight = null;
            Gathered g;
            try {
                g = done.get();
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                throw new UncheckedIOException("cannot write this replica's class rows to " + own + " (step "
                        + inFlightStep + ")", cause instanceof IOException io ? io : new IOException(cause));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            hold(head, g);
        }
    }

    /** Starts an exchange on the exchange's thread, unless one is in flight or the head is empty. */
    private void start(ClassHead head, long step) {
        if (inFlight != null || head.classes() == 0) {
            return;
        }
        lastStartNanos = System.nanoTime();
        inFlightStep = step;
        if (step == publishedStep && Files.exists(own)) {
            // no step since the last write (an idle trainer): the same rows, so the file's age is renewed instead of
            // writing them again (half a gigabyte at a million classes)
            LossKind kind = head.kind();
            int dim = dimOf(head);
            inFlight = io().submit(() -> {
                Files.setLastModifiedTime(own, FileTime.fromMillis(System.currentTimeMillis()));
                return gatherQuietly(kind, dim);
            });
            return;
        }
        publishedStep = step;
        // the rows are copied here, between two steps; the files are written and read on the exchange's thread
        Snapshot snapshot = Snapshot.of(head, step);
        inFlight = io().submit(() -> {
            try {
                publish(snapshot); // a failure here stops the trainer at its next step
            } finally {
                snapshot.close();
            }
            return gatherQuietly(snapshot.kind(), snapshot.dim());
        });
    }

    /** The others' rows; on a failure to read them, none (this replica trains on with what it holds), counted. */
    private Gathered gatherQuietly(LossKind kind, int dim) {
        try {
            return gather(kind, dim);
        } catch (RuntimeException | OutOfMemoryError e) {
            unreadable.incrementAndGet();
            LOG.warn("mesh: cannot read the other replicas' class rows in {}", dir, e);
            return null;
        }
    }

    /**
     * Waits for the exchange in flight (not interruptibly: its write must not race the last one) and writes this
     * replica's rows a last time. A trainer stopped by an interrupt keeps its interrupt, cleared only while the
     * file is written (an interrupted channel write fails).
     */
    @Override
    public void finish(EmbeddingModel model, long step) {
        finish(model.head(), step);
    }

    /** {@link #finish(EmbeddingModel, long)} for a head (null: none, nothing to write). */
    public void finish(ClassHead head, long step) {
        boolean interrupted = Thread.interrupted();
        try {
            Future<Gathered> done = inFlight;
            inFlight = null;
            if (done != null) {
                while (true) {
                    try {
                        Gathered unused = done.get();
                        if (unused != null) {
                            unused.close();
                        }
                        break;
                    } catch (InterruptedException e) {
                        interrupted = true;
                    } catch (ExecutionException e) {
                        break; // the last write below reports a file that cannot be written
                    }
                }
            }
            if (executor != null) {
                executor.shutdown();
            }
            if (head != null && head.classes() > 0) {
                try {
                    publish(head, step);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot write this replica's class rows to " + own, e);
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Writes this replica's rows and holds the others', on the calling thread.
     *
     * @return the foreign classes held now
     * @throws UncheckedIOException when this replica's file cannot be written (the others would train without its
     *                              classes): the trainer stops, loudly
     */
    int exchange(ClassHead head, long step) {
        try {
            publish(head, step);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write this replica's class rows to " + own + " at step " + step, e);
        }
        return collect(head);
    }

    /** Writes the head's rows to this replica's file (a temporary file moved into place). */
    public void publish(ClassHead head, long step) throws IOException {
        try (Snapshot snapshot = Snapshot.of(head, step)) {
            publish(snapshot);
        }
    }

    private void publish(Snapshot s) throws IOException {
        Files.createDirectories(dir);
        if (!swept) {
            swept = true;
            sweepTemporaries();
        }
        // a temporary name of its own for every write (two writes never share a half-written file), with the
        // folder's usual permissions (the other replicas read it)
        try (AtomicFile file = AtomicFile.beside(own)) {
            write(file.path(), runId, s.kind(), s.step(), s.identities(), s.rows(), s.biases(), s.lastSeen());
            file.commit();
        }
    }

    /**
     * Reads the other replicas' files of this loss written since this replica started and hands their rows to the
     * head (an identity in two files is taken from the replica that saw it last), on the calling thread.
     *
     * @return the foreign classes held now
     */
    public int collect(ClassHead head) {
        return hold(head, gather(head.kind(), dimOf(head)));
    }

    /** The other replicas' rows, merged; null when the folder cannot be listed (the head keeps what it holds). */
    private Gathered gather(LossKind kind, int dim) {
        record Found(long modified, Rows rows) {
        }
        List<Found> found = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            for (Path f : files) {
                if (f.equals(own)) {
                    continue;
                }
                try {
                    long modified = Files.getLastModifiedTime(f).toMillis();
                    if (modified < sinceMillis) {
                        continue; // not rewritten since this replica started: a finished run's, or a dead replica's
                    }
                    Rows r = read(f);
                    if (r.kind() == kind && r.dim() == dim) {
                        found.add(new Found(modified, r));
                    }
                } catch (IOException e) {
                    unreadable.incrementAndGet();
                    LOG.warn("mesh: skipped another replica's class rows {}: {}", f, e.getMessage());
                }
            }
        } catch (IOException e) {
            unreadable.incrementAndGet();
            LOG.warn("mesh: cannot list the replicas' class rows in {}: {}", dir, e.toString());
            return null;
        }
        // an identity in several files (a rebalance moved it; the replica it left keeps its row as a negative) is
        // taken from the replica whose batches held it last, the one training it now; a tie from the newest file
        found.sort(Comparator.comparingLong(Found::modified).reversed());
        record Pick(Rows rows, int row) {
            long lastSeen() {
                return rows.lastSeen()[row];
            }
        }
        Map<String, Pick> picks = new LinkedHashMap<>();
        for (Found f : found) {
            Rows r = f.rows();
            for (int i = 0; i < r.identities().size(); i++) {
                Pick candidate = new Pick(r, i);
                picks.merge(r.identities().get(i), candidate,
                        (held, next) -> next.lastSeen() > held.lastSeen() ? next : held);
            }
        }
        List<String> ids = new ArrayList<>(picks.keySet());
        boolean over = ids.size() > maxRows || (long) ids.size() * dim > Integer.MAX_VALUE - 8;
        if (over || ids.isEmpty()) {
            return new Gathered(found.size(), ids, null, null, over);
        }
        float[] flat = new float[ids.size() * dim];
        float[] biases = kind == LossKind.SOFTMAX ? new float[ids.size()] : null;
        int i = 0;
        for (Pick p : picks.values()) {
            System.arraycopy(p.rows().rows(), p.row() * dim, flat, i * dim, dim);
            if (biases != null) {
                biases[i] = p.rows().biases()[p.row()];
            }
            i++;
        }
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            // made here, off the trainer thread; the head copies them and the trainer thread closes these
            return new Gathered(found.size(), ids, Nd4j.create(flat, new long[] {ids.size(), dim}, DataType.FLOAT),
                    biases == null ? null : Nd4j.createFromArray(biases), false);
        }
    }

    /** On the trainer thread: hands the gathered rows to the head. */
    private int hold(ClassHead head, Gathered g) {
        if (g == null) {
            return head.foreignClasses();
        }
        if (g.over()) {
            if (!overWarned) {
                overWarned = true;
                LOG.warn("mesh: the other replicas hold {} classes, above trainer.mesh.foreignRowsMax={}: this "
                        + "replica contrasts its batches with its own shard only", g.identities().size(), maxRows);
            }
            head.dropForeign();
            return 0;
        }
        if (g.identities().isEmpty()) {
            head.dropForeign();
            return 0;
        }
        int held;
        try (g) {
            held = head.holdForeign(g.identities(), g.rows(), g.biases());
        }
        if (g.files() != filesHeld || (held > 0) != (heldBefore > 0)) {
            filesHeld = g.files();
            heldBefore = held;
            LOG.info("mesh: holding {} classes of {} other replicas as negatives (their identities without a row "
                    + "here)", held, filesHeld);
        }
        return held;
    }

    private ExecutorService io() {
        if (executor == null) {
            executor = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "facestream-head-rows");
                t.setDaemon(true);
                return t;
            });
        }
        return executor;
    }

    /**
     * The other replicas' rows, merged; {@code rows} null when there are none or {@code over} the most a replica
     * holds.
     */
    private record Gathered(int files, List<String> identities, INDArray rows, INDArray biases, boolean over)
            implements AutoCloseable {
        @Override
        public void close() {
            for (INDArray a : new INDArray[] {rows, biases}) {
                if (a != null && !a.wasClosed()) {
                    a.close();
                }
            }
        }
    }

    /** A copy of a head's rows taken between two steps, written by the exchange's thread. */
    private record Snapshot(LossKind kind, long step, int dim, List<String> identities, INDArray rows,
                            INDArray biases, long[] lastSeen) implements AutoCloseable {
        static Snapshot of(ClassHead head, long step) {
            List<INDArray> state = head.state();
            long[] seen = new long[head.classes()];
            for (int r = 0; r < seen.length; r++) {
                seen[r] = head.lastSeen(r);
            }
            try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                return new Snapshot(head.kind(), step, (int) state.get(0).size(1),
                        List.copyOf(head.identities().identities()), state.get(0).dup('c'),
                        head.kind() == LossKind.SOFTMAX ? state.get(3).dup() : null, seen);
            }
        }

        @Override
        public void close() {
            rows.close();
            if (biases != null) {
                biases.close();
            }
        }
    }

    private static int dimOf(ClassHead head) {
        return (int) head.state().get(0).size(1);
    }

    /** One replica's rows as read from its file; {@code lastSeen} as {@link ClassHead#lastSeen}. */
    record Rows(String runId, LossKind kind, long step, int dim, List<String> identities, float[] rows,
                float[] biases, long[] lastSeen) {
        /** A copy of row {@code i}. */
        float[] row(int i) {
            return Arrays.copyOfRange(rows, i * dim, (i + 1) * dim);
        }
    }

    /**
     * Writes a rows file: header, identities, rows, biases (floats big-endian, copied out of native memory a block
     * of rows at a time), then a CRC-32 of everything before it.
     */
    static void write(Path file, String runId, LossKind kind, long step, List<String> identities, INDArray rows,
                      INDArray biases, long[] lastSeen) throws IOException {
        if (lastSeen.length != identities.size()) {
            throw new IllegalArgumentException(lastSeen.length + " last-seen steps for " + identities.size()
                    + " identities");
        }
        int n = identities.size();
        int dim = (int) rows.size(1);
        CRC32 crc = new CRC32();
        try (OutputStream file0 = Files.newOutputStream(file);
             DataOutputStream out = new DataOutputStream(new BufferedOutputStream(new CheckedOutputStream(file0,
                     crc), 1 << 16))) {
            out.writeInt(MAGIC);
            out.writeInt(VERSION);
            out.writeUTF(runId);
            out.writeUTF(kind.name());
            out.writeLong(step);
            out.writeInt(dim);
            out.writeInt(n);
            out.writeBoolean(biases != null);
            for (String id : identities) {
                out.writeUTF(id);
            }
            writeFloats(out, rows, n, dim);
            if (biases != null) {
                writeFloats(out, biases.reshape(biases.length(), 1), n, 1);
            }
            for (long l : lastSeen) {
                out.writeLong(l);
            }
            out.flush();
            long sum = crc.getValue();
            out.writeLong(sum);
        }
    }

    /** The first {@code n} rows of {@code [*, width]} as big-endian floats, a block of rows at a time. */
    private static void writeFloats(DataOutputStream out, INDArray rows, int n, int width) throws IOException {
        int block = Math.max(1, BLOCK_FLOATS / width);
        ByteBuffer bytes = ByteBuffer.allocate(block * width * 4);
        for (int from = 0; from < n; from += block) {
            int to = Math.min(n, from + block);
            float[] values;
            try (INDArray part = rows.get(NDArrayIndex.interval(from, to), NDArrayIndex.all()).dup('c')) {
                values = part.data().asFloat();
            }
            bytes.clear();
            bytes.asFloatBuffer().put(values, 0, (to - from) * width);
            out.write(bytes.array(), 0, (to - from) * width * 4);
        }
    }

    /** {@code count} big-endian floats, a block at a time. */
    private static float[] readFloats(DataInputStream in, long count) throws IOException {
        float[] out = new float[Math.toIntExact(count)];
        byte[] block = new byte[BLOCK_FLOATS * 4];
        for (int from = 0; from < out.length; from += BLOCK_FLOATS) {
            int len = Math.min(BLOCK_FLOATS, out.length - from);
            in.readFully(block, 0, len * 4);
            ByteBuffer.wrap(block, 0, len * 4).asFloatBuffer().get(out, from, len);
        }
        return out;
    }

    /**
     * Reads a rows file.
     *
     * @throws HeadRowsFormatException naming what is wrong: not a rows file, another version, an unknown loss,
     *                                 impossible sizes, cut short, or a checksum that does not match
     */
    static Rows read(Path file) throws IOException {
        long size = Files.size(file);
        CRC32 crc = new CRC32();
        try (InputStream file0 = Files.newInputStream(file);
             CheckedInputStream checked = new CheckedInputStream(new BufferedInputStream(file0, 1 << 16), crc);
             DataInputStream in = new DataInputStream(checked)) {
            int magic = in.readInt();
            if (magic != MAGIC) {
                throw new HeadRowsFormatException(file + " is not a class-rows file (magic 0x"
                        + Integer.toHexString(magic) + ")");
            }
            int version = in.readInt();
            if (version != VERSION) {
                throw new HeadRowsFormatException(file + " is class-rows version " + version + "; this trainer reads "
                        + "version " + VERSION);
            }
            String runId = in.readUTF();
            String kindName = in.readUTF();
            LossKind kind;
            try {
                kind = LossKind.valueOf(kindName);
            } catch (IllegalArgumentException e) {
                throw new HeadRowsFormatException(file + " holds rows of an unknown loss \"" + kindName + "\"");
            }
            long step = in.readLong();
            int dim = in.readInt();
            int n = in.readInt();
            boolean hasBiases = in.readBoolean();
            if (hasBiases != (kind == LossKind.SOFTMAX)) {
                throw new HeadRowsFormatException(file + " holds " + kind + " rows " + (hasBiases ? "with" : "without")
                        + " biases; " + (hasBiases ? "only softmax rows have them" : "softmax rows have them"));
            }
            long floats = (long) n * dim + (hasBiases ? n : 0) + 2L * n;
            if (dim < 1 || n < 0 || 4 * floats > size) {
                throw new HeadRowsFormatException(file + " claims " + n + " rows of " + dim + " values in "
                        + size + " bytes");
            }
            List<String> ids = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                ids.add(in.readUTF());
            }
            if ((long) n * dim > Integer.MAX_VALUE - 8) {
                throw new HeadRowsFormatException(file + " holds " + n + " rows of " + dim + " values, more than "
                        + "one replica's class rows can be");
            }
            float[] rows = readFloats(in, (long) n * dim);
            float[] biases = hasBiases ? readFloats(in, n) : null;
            long[] lastSeen = new long[n];
            for (int i = 0; i < n; i++) {
                lastSeen[i] = in.readLong();
            }
            long expected = crc.getValue();
            long stored = in.readLong();
            if (stored != expected) {
                throw new HeadRowsFormatException(file + " fails its checksum (damaged)");
            }
            if (in.read() != -1) {
                throw new HeadRowsFormatException(file + " has bytes after its checksum");
            }
            return new Rows(runId, kind, step, dim, ids, rows, biases, lastSeen);
        } catch (EOFException e) {
            throw new HeadRowsFormatException(file + " is cut short (" + size + " bytes)");
        }
    }

    /** A rows file that cannot be read; the message names the file and what is wrong. */
    static final class HeadRowsFormatException extends IOException {
        HeadRowsFormatException(String message) {
            super(message);
        }
    }
}
