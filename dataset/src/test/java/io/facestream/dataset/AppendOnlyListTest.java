package io.facestream.dataset;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AppendOnlyListTest {
    @Test
    @DisplayName("items keep their order, a repeat is refused, and a snapshot never changes as the list grows past "
            + "its capacity")
    void snapshotsStayPut() {
        AppendOnlyList<String> list = new AppendOnlyList<>();
        assertEquals(List.of(), list.snapshot());
        List<List<String>> snapshots = new ArrayList<>();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            assertTrue(list.add("id-" + i));
            assertFalse(list.add("id-" + i), "a repeat is not added");
            expected.add("id-" + i);
            snapshots.add(list.snapshot());
        }
        assertEquals(expected, list.snapshot());
        for (int i = 0; i < 100; i++) {
            assertEquals(expected.subList(0, i + 1), snapshots.get(i), "snapshot " + i);
        }
        assertThrows(UnsupportedOperationException.class, () -> list.snapshot().add("x"));
        assertThrows(IndexOutOfBoundsException.class, () -> snapshots.get(9).get(10));
    }
}
