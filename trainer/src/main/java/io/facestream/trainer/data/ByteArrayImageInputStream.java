package io.facestream.trainer.data;

import javax.imageio.stream.ImageInputStreamImpl;
import java.io.IOException;

/**
 * An {@link javax.imageio.stream.ImageInputStream} over bytes already in memory, read in place. ImageIO's
 * {@code MemoryCacheImageInputStream} copies its source into 8 KB blocks as the decoder reads; for an image that is
 * already one array that copy was 5 % of the serving path's allocation (JFR, bench/serving.sh at 64 clients).
 */
final class ByteArrayImageInputStream extends ImageInputStreamImpl {
    private final byte[] bytes;

    ByteArrayImageInputStream(byte[] bytes) {
        this.bytes = bytes;
    }

    @Override
    public int read() throws IOException {
        checkClosed();
        bitOffset = 0;
        return streamPos < bytes.length ? bytes[(int) streamPos++] & 0xFF : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        checkClosed();
        if (off < 0 || len < 0 || off + len > b.length) {
            throw new IndexOutOfBoundsException("off " + off + ", len " + len + ", array of " + b.length);
        }
        bitOffset = 0;
        if (len == 0) {
            return 0;
        }
        if (streamPos >= bytes.length) {
            return -1;
        }
        int n = (int) Math.min(len, bytes.length - streamPos);
        System.arraycopy(bytes, (int) streamPos, b, off, n);
        streamPos += n;
        return n;
    }

    @Override
    public long length() {
        return bytes.length;
    }

    @Override
    public boolean isCached() {
        return true;
    }

    @Override
    public boolean isCachedMemory() {
        return true;
    }
}
