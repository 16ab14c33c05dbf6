package io.facestream.trainer.mesh;

import org.nd4j.parameterserver.distributed.v2.messages.impl.base.BaseRequestMessage;

import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * Root to every replica it counts: the replicas in the mesh as the root counts them (itself, and the joiners whose
 * settings matched and that it has not dropped). Sent whenever that changes and every 5 s. DL4J's own view of the mesh, which the
 * root also propagates, keeps every replica that ever joined until DL4J's liveness check (about two minutes), the
 * ones the root refused or dropped included; a replica counts only those both views name. A notice, not a request:
 * nothing answers it. Numbered, since DL4J hands incoming messages to several threads: a replica keeps the newest.
 */
final class MembersMessage extends BaseRequestMessage {
    private static final long serialVersionUID = 1L;
    private final TreeSet<String> members;
    private final long number;

    /** @param number this notice's place among the root's notices: higher is newer */
    MembersMessage(long number, Set<String> members) {
        this.messageId = UUID.randomUUID().toString();
        this.number = number;
        this.members = new TreeSet<>(members);
    }

    long number() {
        return number;
    }

    Set<String> members() {
        return Set.copyOf(members);
    }
}
