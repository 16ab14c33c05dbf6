package io.facestream.trainer.mesh;

import io.facestream.protocol.config.ConfigException;
import io.facestream.protocol.config.Settings;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Settings of the gradient mesh (keys {@code trainer.mesh.*}): several trainer processes training one model, kept
 * in step by DL4J's gradient sharing. Defaults live here and nowhere else.
 *
 * @param enabled      whether this trainer joins a mesh (false: it trains alone, as before)
 * @param host         the address this replica binds its mesh endpoint to and the others reach it at
 * @param port         this replica's UDP port
 * @param seeds        {@code host:port} of the mesh; the first is the mesh root, which every other replica joins
 *                     through (the replica whose {@code host:port} is that seed becomes the root)
 * @param replicas     replicas the start barrier waits for before the first step, this one included; the updates
 *                     are scaled by {@code updateScale} of it
 * @param threshold    initial threshold of the adaptive threshold encoding of the updates
 * @param startTimeout how long the start barrier (and a joiner's wait for the current parameters) may take
 * @param peerTimeout  how long a peer may stay unreachable before the mesh drops it
 * @param maxLag       steps a replica may run ahead of each other replica's updates (0: lockstep, synchronous
 *                     data parallelism; -1: no bound, DL4J's asynchronous sharing), see {@link LagBound}
 * @param lagWait      the most a replica waits after a step for the others' updates before it steps anyway
 * @param updateScale  what each replica's update is multiplied by before it is shared (DL4J sums the replicas'
 *                     updates)
 * @param foreignRowsEvery steps between two exchanges of the replicas' class rows through the checkpoint directory
 *                     (each replica's softmax then contrasts its batch with every replica's classes, see
 *                     {@link HeadRowsExchange}); 0: each replica contrasts with its own shard only
 * @param foreignRowsMax the most other replicas' classes a replica holds as negatives; above, it holds none
 */
public record MeshConfig(boolean enabled, String host, int port, List<Seed> seeds, int replicas, double threshold,
                         Duration startTimeout, Duration peerTimeout, int maxLag, Duration lagWait,
                         UpdateScale updateScale, int foreignRowsEvery, long foreignRowsMax) {

    /**
     * How the replicas' updates combine into the mesh's step. DL4J shares updates, each the replica's own optimiser
     * step on its own batch, and every replica applies their sum.
     */
    public enum UpdateScale {
        /** {@code 1/replicas}: the mean of the updates */
        MEAN,
        /**
         * {@code 1/sqrt(replicas)}: Adam divides each replica's gradient by its own running RMS, which is
         * {@code sqrt(replicas)} times one trainer's on the replicas' batches together while the gradient noise
         * dominates, so the mean of the replicas' updates is that much smaller than one trainer's step
         */
        SQRT,
        /** 1: the sum of the updates (the linear-scaling rule) */
        SUM;

        /** The factor for {@code replicas} replicas. */
        public double factor(int replicas) {
            return switch (this) {
                case MEAN -> 1.0 / replicas;
                case SQRT -> 1.0 / Math.sqrt(replicas);
                case SUM -> 1.0;
            };
        }
    }

    /** One seed, {@code host:port}. */
    public record Seed(String host, int port) {
        @Override
        public String toString() {
            return host + ":" + port;
        }
    }

    public MeshConfig {
        seeds = List.copyOf(seeds);
    }

    public static MeshConfig defaults() {
        return from(Settings.empty());
    }

    /** Reads {@code trainer.mesh.*}; a bad value fails naming the key. */
    public static MeshConfig from(Settings s) {
        boolean enabled = s.bool("trainer.mesh.enabled", false);
        String host = s.nonEmpty("trainer.mesh.host", "127.0.0.1");
        int port = s.integer("trainer.mesh.port", 40123, 1, 65535);
        List<Seed> seeds = parseSeeds(s.string("trainer.mesh.seeds", ""));
        if (enabled && seeds.isEmpty()) {
            throw new ConfigException("trainer.mesh.seeds must name at least one host:port (the mesh root) when "
                    + "trainer.mesh.enabled=true");
        }
        return new MeshConfig(enabled, host, port, seeds,
                s.integer("trainer.mesh.replicas", 1, 1, 1024),
                s.decimal("trainer.mesh.threshold", 1e-3, 1e-9, 1.0),
                s.duration("trainer.mesh.startTimeout", Duration.ofMinutes(5), Duration.ofSeconds(1),
                        Duration.ofDays(1)),
                s.duration("trainer.mesh.peerTimeout", Duration.ofSeconds(15), Duration.ofMillis(500),
                        Duration.ofHours(1)),
                s.integer("trainer.mesh.maxLag", -1, -1, 1_000_000),
                s.duration("trainer.mesh.lagWait", Duration.ofSeconds(2), Duration.ZERO, Duration.ofHours(1)),
                s.enumValue("trainer.mesh.updateScale", UpdateScale.SQRT, UpdateScale.class),
                s.integer("trainer.mesh.foreignRowsEvery", 0, 0, 1_000_000),
                s.longValue("trainer.mesh.foreignRowsMax", 1_000_000, 0, Long.MAX_VALUE));
    }

    static List<Seed> parseSeeds(String text) {
        List<Seed> out = new ArrayList<>();
        for (String part : text.split(",")) {
            String seed = part.trim();
            if (seed.isEmpty()) {
                continue;
            }
            int colon = seed.lastIndexOf(':');
            if (colon <= 0 || colon == seed.length() - 1) {
                throw new ConfigException("trainer.mesh.seeds: \"" + seed + "\" is not host:port");
            }
            int port;
            try {
                port = Integer.parseInt(seed.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new ConfigException("trainer.mesh.seeds: the port of \"" + seed + "\" is not a number");
            }
            if (port < 1 || port > 65535) {
                throw new ConfigException("trainer.mesh.seeds: the port of \"" + seed + "\" must be 1..65535");
            }
            out.add(new Seed(seed.substring(0, colon), port));
        }
        return out;
    }

    /**
     * Whether this replica's {@code host:port} is the first seed's (comparing resolved addresses): the mesh root,
     * which checkpoints, evaluates and exports.
     *
     * @throws MeshException if either host does not resolve
     */
    public boolean selfIsRoot() {
        Seed self = self();
        Seed seed = root();
        if (self.port() != seed.port()) {
            return false;
        }
        if (self.host().equals(seed.host())) {
            return true;
        }
        try {
            return InetAddress.getByName(self.host()).equals(InetAddress.getByName(seed.host()));
        } catch (UnknownHostException e) {
            throw new MeshException("mesh: cannot resolve " + e.getMessage() + " (trainer.mesh.host or the first of "
                    + "trainer.mesh.seeds)", e);
        }
    }

    /** Whether this trainer is a mesh replica other than the root: it neither checkpoints nor reports the run. */
    public boolean replicaOnly() {
        return enabled && !selfIsRoot();
    }

    /** The seed every replica joins through. */
    public Seed root() {
        return seeds.get(0);
    }

    /**
     * A replica's id ({@code host:port}) as a file-name and Kafka-id part: anything but letters, digits, dot,
     * underscore and dash becomes a dash.
     */
    public static String fileSafe(String replicaId) {
        return replicaId.replaceAll("[^A-Za-z0-9._-]", "-");
    }

    /** This replica's own {@code host:port}. */
    public Seed self() {
        return new Seed(host, port);
    }
}
