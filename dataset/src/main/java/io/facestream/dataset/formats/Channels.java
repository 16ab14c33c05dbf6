package io.facestream.dataset.formats;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/** Positional reads that fill a buffer or say how far the file fell short. */
public final class Channels {
    private Channels() {
    }

    /**
     * Fills {@code buf} from byte {@code pos} of {@code ch} without moving the channel's position, so one channel
     * can serve many threads.
     *
     * @throws EOFException saying where the file ended and how many bytes were missing
     */
    public static void readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
        long at = pos;
        while (buf.hasRemaining()) {
            int r = ch.read(buf, at);
            if (r < 0) {
                throw new EOFException("the file ends at byte " + at + ", " + buf.remaining() + " bytes short");
            }
            at += r;
        }
    }
}
