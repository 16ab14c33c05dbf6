package io.facestream.trainer.data;

import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ByteArrayImageInputStreamTest {
    private static final byte[] BYTES = {1, 2, (byte) 0xFF, 4, 5, 6, 7};

    @Test
    void readsSeeksAndEnds() throws IOException {
        try (ByteArrayImageInputStream in = new ByteArrayImageInputStream(BYTES)) {
            assertEquals(7, in.length());
            assertEquals(1, in.read());
            byte[] b = new byte[4];
            assertEquals(3, in.read(b, 1, 3));
            assertArrayEquals(new byte[] {0, 2, (byte) 0xFF, 4}, b);
            assertEquals(4, in.getStreamPosition());
            in.seek(2);
            assertEquals(0xFF, in.read(), "bytes are unsigned");
            assertEquals(0x0405, in.readUnsignedShort(), "big-endian by default");
        }
    }

    @Test
    void shortReadAtTheEndThenMinusOne() throws IOException {
        try (ByteArrayImageInputStream in = new ByteArrayImageInputStream(BYTES)) {
            in.seek(5);
            byte[] b = new byte[10];
            assertEquals(2, in.read(b, 0, 10), "only what is left");
            assertEquals(-1, in.read(b, 0, 10));
            assertEquals(-1, in.read());
            assertEquals(0, in.read(b, 0, 0));
            in.seek(100);
            assertEquals(-1, in.read(), "past the end reads nothing");
        }
    }

    @Test
    void badRangeAndClosedAreRefused() throws IOException {
        ByteArrayImageInputStream in = new ByteArrayImageInputStream(BYTES);
        assertThrows(IndexOutOfBoundsException.class, () -> in.read(new byte[2], 1, 2));
        assertThrows(IndexOutOfBoundsException.class, () -> in.read(new byte[2], -1, 1));
        in.close();
        assertThrows(IOException.class, in::read);
        assertThrows(IOException.class, () -> in.read(new byte[2], 0, 1));
    }
}
