package io.facestream.trainer.mesh;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.parameterserver.distributed.v2.messages.impl.GradientsUpdateMessage;
import org.nd4j.parameterserver.distributed.v2.messages.pairs.ping.PingMessage;

class RootStepTest {
    private static final String ROOT = "10.0.0.1:40123";

    private static GradientsUpdateMessage update(String maker, String relay, int step) {
        GradientsUpdateMessage m = new GradientsUpdateMessage("u-" + maker + "-" + step,
                Nd4j.create(DataType.FLOAT, 4));
        m.setOriginatorId(maker);
        m.setRelayId(relay);
        m.setIteration(step);
        return m;
    }

    @Test
    @DisplayName("only the root's own updates move the root's step: a faster replica's, relayed by the root, do not")
    void rootsOwnUpdatesOnly() {
        RootStep step = new RootStep();
        assertEquals(0, step.get(), "nothing heard");
        step.heard(update(ROOT, null, 7), ROOT);
        assertEquals(7, step.get());
        // a third replica ahead of the root: its update comes through the root (relay), with its own step
        step.heard(update("10.0.0.3:40125", ROOT, 12), ROOT);
        assertEquals(7, step.get(), "another replica's step, relayed by the root, is not the root's");
        step.heard(update(ROOT, null, 9), ROOT);
        assertEquals(9, step.get());
        // updates can arrive out of order: the step never goes back
        step.heard(update(ROOT, null, 8), ROOT);
        assertEquals(9, step.get(), "an older update of the root's arriving late");
        // other messages, and a transport that does not know its root yet, change nothing
        PingMessage ping = new PingMessage();
        ping.setOriginatorId(ROOT);
        step.heard(ping, ROOT);
        step.heard(update(ROOT, null, 30), null);
        assertEquals(9, step.get());
    }

    @Test
    @DisplayName("a joiner starts at the root's step of the state it took, and the root's later updates move it on")
    void joinerStartsAtTheRootsStep() {
        RootStep step = new RootStep();
        step.atLeast(1003);
        assertEquals(1003, step.get(), "a replica that took the root's state at step 1003");
        step.heard(update(ROOT, null, 1001), ROOT);
        assertEquals(1003, step.get(), "an update of the root's made before the state was taken");
        step.heard(update(ROOT, null, 1004), ROOT);
        assertEquals(1004, step.get());
        step.atLeast(12);
        assertEquals(1004, step.get(), "the step never goes back");
    }
}
