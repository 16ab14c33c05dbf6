package io.facestream.trainer.mesh;

import org.nd4j.parameterserver.distributed.v2.messages.impl.base.BaseRequestMessage;

import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * Root to every replica it counts: the replicas in the mesh as the root counts them (itself, and the joiners whose
 * settings matched and that it has not dropped). Sent whenever that changes. DL4J's own view of the mesh, which the
 * root also propagates, keeps every replica that ever joined until DL4J's liveness check (about two minutes), the
 * ones the root refused or dropped included; a replica counts only those both views name. A notice, not a request:
 * nothing answers it.
 */
final class MembersMessage extends BaseRequestMessage {
    private static final long serialVersionUID = 1L;
    private final TreeSet<String> members;

    MembersMessage(Set<String> members) {
        this.messageId = UUID.randomUUID().toString();
        this.members = new TreeSet<>(members);
    }

    Set<String> members() {
        return Set.copyOf(members);
    }
}
