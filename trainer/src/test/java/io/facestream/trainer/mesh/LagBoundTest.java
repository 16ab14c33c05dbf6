package io.facestream.trainer.mesh;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LagBoundTest {

    @Test
    @DisplayName("lockstep (0): after its step k a replica waits for each other replica's k-th update")
    void lockstep() {
        LagBound bound = new LagBound(0);
        assertFalse(bound.mustWait(0, 0, 1), "nothing sent yet");
        assertTrue(bound.mustWait(1, 0, 1), "step 1 done, the other's first update not here");
        assertFalse(bound.mustWait(1, 1, 1));
        assertFalse(bound.mustWait(1, 2, 1), "the other ahead: no wait");
        assertTrue(bound.mustWait(3, 2, 1));
        LagBound three = new LagBound(0);
        assertFalse(three.mustWait(0, 0, 2));
        assertTrue(three.mustWait(3, 5, 2), "two others, 6 updates owed at step 3");
        assertFalse(three.mustWait(3, 6, 2));
    }

    @Test
    @DisplayName("a lag of 2 lets a replica run two updates ahead of each other replica; -1 never waits")
    void boundedAndOff() {
        LagBound bound = new LagBound(2);
        bound.start(4, 1, 1); // counting starts when the mesh does, whatever went before
        assertFalse(bound.mustWait(6, 1, 1));
        assertTrue(bound.mustWait(7, 1, 1));
        assertFalse(bound.mustWait(7, 2, 1));
        LagBound off = new LagBound(-1);
        assertFalse(off.mustWait(1_000, 0, 3));
        assertThrows(IllegalArgumentException.class, () -> new LagBound(-2));
    }

    @Test
    @DisplayName("when replicas join or leave the counting starts over, so a dropped replica's updates neither count "
            + "nor are owed, and a joiner owes nothing from before it joined")
    void membershipChangeResetsTheCount() {
        LagBound bound = new LagBound(0);
        assertFalse(bound.mustWait(100, 100, 1));
        // the other replica is dropped: alone, nothing to wait for
        assertFalse(bound.mustWait(101, 100, 0));
        assertFalse(bound.mustWait(150, 100, 0));
        // one joins at this replica's 150th update: counted from here
        assertFalse(bound.mustWait(150, 100, 1));
        assertTrue(bound.mustWait(151, 100, 1), "the joiner's first update is owed, not its 50 missed ones");
        assertFalse(bound.mustWait(151, 101, 1));
        assertTrue(bound.mustWait(153, 101, 1));
    }

    @Test
    @DisplayName("no other replica in the mesh: never waits")
    void alone() {
        assertFalse(new LagBound(0).mustWait(10, 0, 0));
    }
}
