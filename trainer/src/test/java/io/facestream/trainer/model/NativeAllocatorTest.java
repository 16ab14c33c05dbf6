package io.facestream.trainer.model;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NativeAllocatorTest {
    private static final String LIBC = "7f1c2a000000-7f1c2a022000 r--p 00000000 fe:01 1234 /usr/lib/x86_64-linux-gnu/libc.so.6";

    @Test
    @DisplayName("the preloaded allocator is named from the process's mapped libraries, glibc when none is")
    void fromMaps() {
        assertEquals("glibc", NativeAllocator.of(List.of(LIBC)));
        assertEquals("tcmalloc", NativeAllocator.of(List.of(LIBC,
                "7f1c2b000000-7f1c2b010000 r-xp 00000000 fe:01 99 /usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4.5.10")));
        assertEquals("jemalloc", NativeAllocator.of(List.of(
                "7f1c2b000000-7f1c2b010000 r-xp 00000000 fe:01 98 /usr/lib/x86_64-linux-gnu/libjemalloc.so.2", LIBC)));
        String here = NativeAllocator.current();
        assertTrue(List.of("glibc", "tcmalloc", "jemalloc", "unknown").contains(here), here);
    }

    @Test
    @DisplayName("the log hint names LD_PRELOAD and the installed library, only under glibc")
    void hint() {
        assertNull(NativeAllocator.hint("tcmalloc", true));
        assertNull(NativeAllocator.hint("unknown", false));
        String installed = NativeAllocator.hint("glibc", true);
        assertTrue(installed.contains("LD_PRELOAD=" + NativeAllocator.TCMALLOC), installed);
        assertTrue(NativeAllocator.hint("glibc", false).contains("libtcmalloc-minimal4"));
    }
}
