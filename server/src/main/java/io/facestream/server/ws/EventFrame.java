package io.facestream.server.ws;

import io.facestream.protocol.MetricsEvent;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.IllegalReferenceCountException;
import io.netty.util.ResourceLeakHint;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.WebSocketBase;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.http.impl.ws.WebSocketFrameImpl;

import java.nio.charset.StandardCharsets;

/**
 * One metrics event as it goes out on every socket: its JSON encoded once, as UTF-8, into one reference-counted
 * direct buffer that every client's write shares (each write reads its own duplicate: same bytes, own indices).
 *
 * <p>Ownership: whoever creates a frame holds one reference; the {@link MetricsHistory} holds one while the frame
 * is kept, a {@link ClientQueue} one per client that has it queued, and each {@link #writeTo write} one until the
 * socket has written the frame or failed to (the write's future completes either way, also when the socket
 * closes with the frame still queued in Vert.x or Netty). The memory is freed when the last of them lets go.
 * Not thread-safe beyond what {@link ByteBuf} reference counting is: used on the hub's event loop.
 */
public final class EventFrame implements ResourceLeakHint {
    private final String runId;
    private final long seq;
    private final MetricsEvent.Type type;
    private final long time;
    private final ByteBuf payload;
    private final Handler<AsyncResult<Void>> releaseAfterWrite = ar -> release();

    /**
     * Encodes {@code json} once.
     *
     * @param runId the run it belongs to
     * @param seq   its number within the run
     * @param type  its type (train events may be coalesced for slow clients)
     * @param time  when its figures were taken, epoch milliseconds
     * @param json  the event's JSON text ({@link MetricsEvent#encode()})
     */
    public EventFrame(String runId, long seq, MetricsEvent.Type type, long time, String json) {
        this.runId = runId;
        this.seq = seq;
        this.type = type;
        this.time = time;
        // unpooled on purpose: Vert.x copies a buffer of a pooled allocator before writing it (one copy per
        // client, which is what sharing avoids); direct, so Netty writes it to each socket without a copy
        ByteBuf buf = UnpooledByteBufAllocator.DEFAULT.directBuffer(ByteBufUtil.utf8Bytes(json));
        ByteBufUtil.writeUtf8(buf, json);
        this.payload = buf.touch(this);
    }

    public static EventFrame of(MetricsEvent event) {
        return new EventFrame(event.runId(), event.seq(), event.type(), event.time(), event.encode());
    }

    public String runId() {
        return runId;
    }

    public long seq() {
        return seq;
    }

    public MetricsEvent.Type type() {
        return type;
    }

    public long time() {
        return time;
    }

    /** The size of the frame's UTF-8 JSON: the memory it holds. */
    public long bytes() {
        return payload.readableBytes();
    }

    /** The JSON text, decoded again (for logs and tests: the sockets get the encoded bytes). */
    public String json() {
        return payload.toString(StandardCharsets.UTF_8);
    }

    /** References held: 0 once every holder has let go (the memory is then freed). */
    public int refCnt() {
        return payload.refCnt();
    }

    /** Takes one more reference for a new holder. */
    public EventFrame retain() {
        payload.retain();
        return this;
    }

    /** Lets go of one reference; true when it was the last. */
    public boolean release() {
        return payload.release();
    }

    /**
     * Writes the frame on {@code ws} as one text message: one final text frame, or, when it is longer than
     * {@code maxFrameBytes}, a text frame and continuation frames over consecutive slices of the shared bytes (as
     * Vert.x splits the messages it encodes itself). Each frame holds a reference until its write has completed or
     * failed. Vert.x's public API makes text frames only from a {@code String} (encoding it again for each socket),
     * so this builds Vert.x's frame over the shared bytes; Vert.x wraps the buffer so that Netty does not release
     * it, which is why the reference is given back when the write's future completes.
     *
     * @return the write of the last frame
     * @throws IllegalReferenceCountException if every holder has already let go (a bug in the caller)
     */
    Future<Void> writeTo(WebSocketBase ws, int maxFrameBytes) {
        int length = payload.readableBytes();
        if (length <= maxFrameBytes) {
            return write(ws, WebSocketFrameType.TEXT, payload.duplicate(), true);
        }
        Future<Void> last = null;
        for (int offset = 0; offset < length; offset += maxFrameBytes) {
            int n = Math.min(maxFrameBytes, length - offset);
            last = write(ws, offset == 0 ? WebSocketFrameType.TEXT : WebSocketFrameType.CONTINUATION,
                    payload.slice(payload.readerIndex() + offset, n), offset + n == length);
        }
        return last;
    }

    private Future<Void> write(WebSocketBase ws, WebSocketFrameType type, ByteBuf view, boolean isFinal) {
        payload.retain();
        Future<Void> written;
        try {
            written = ws.writeFrame(new WebSocketFrameImpl(type, view, isFinal));
        } catch (RuntimeException e) {
            payload.release();
            throw e;
        }
        return written.onComplete(releaseAfterWrite);
    }

    @Override
    public String toHintString() {
        return "metrics event frame run=" + runId + " seq=" + seq + " type=" + type.wireName();
    }

    @Override
    public String toString() {
        return "EventFrame[" + toHintString() + ", " + bytes() + " bytes, refCnt=" + refCnt() + "]";
    }
}
