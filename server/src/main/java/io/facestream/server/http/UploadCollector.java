package io.facestream.server.http;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerFileUpload;
import io.vertx.core.http.HttpServerRequest;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads the file parts of a multipart request into memory, counting as it goes: the whole body is bounded (over
 * the limit the request fails with 413 at once), a part over the per-image limit is counted but not kept, and
 * parts beyond the most a record may hold are counted but not kept. Must be started on the request's event loop
 * before the body is read, i.e. synchronously in the route handler, on a route with no body handler: nothing is
 * written to disk. Form fields that are not files are ignored. Used by the image API and by HTTP ingest.
 */
public final class UploadCollector {
    private final HttpServerRequest request;
    private final long maxBodyBytes;
    private final int maxFiles;
    private final int maxFileBytes;
    private final String bodyLimitHint;
    private final List<Upload> uploads = new ArrayList<>();
    private final Promise<List<Upload>> done = Promise.promise();
    private long bodyBytes;
    private int files;
    private int openParts;
    private boolean requestEnded;

    /**
     * @param bodyLimitHint what the 413 answer says after the limit, e.g. the setting's name and the fix
     */
    public UploadCollector(HttpServerRequest request, long maxBodyBytes, int maxFiles, int maxFileBytes,
                           String bodyLimitHint) {
        this.request = request;
        this.bodyLimitHint = bodyLimitHint;
        this.maxBodyBytes = maxBodyBytes;
        this.maxFiles = maxFiles;
        this.maxFileBytes = maxFileBytes;
    }

    /** Completes with every file part in order, or fails with an {@link ApiException} (413, 400). */
    public Future<List<Upload>> collect() {
        request.setExpectMultipart(true);
        request.handler(this::countBody);
        request.uploadHandler(this::part);
        request.exceptionHandler(e -> done.tryFail(new ApiException(400, "bad_request",
                "the multipart body could not be read: " + e.getMessage())));
        request.endHandler(v -> {
            requestEnded = true;
            finishIfComplete();
        });
        return done.future();
    }

    /** How many file parts the request had, kept or not. */
    public int files() {
        return files;
    }

    private void countBody(Buffer chunk) {
        bodyBytes += chunk.length();
        if (bodyBytes > maxBodyBytes && done.tryFail(new ApiException(413, "payload_too_large",
                "the request body exceeds " + maxBodyBytes + " bytes (" + bodyLimitHint + ")"))) {
            uploads.clear();
        }
    }

    private void part(HttpServerFileUpload upload) {
        int index = files++;
        boolean keep = index < maxFiles;
        String name = upload.filename() == null || upload.filename().isBlank() ? "part-" + index : upload.filename();
        openParts++;
        Buffer content = Buffer.buffer();
        long[] size = {0};
        upload.handler(chunk -> {
            size[0] += chunk.length();
            if (keep && size[0] <= maxFileBytes && !done.future().isComplete()) {
                content.appendBuffer(chunk);
            }
        });
        upload.exceptionHandler(e -> done.tryFail(new ApiException(400, "bad_request",
                "file part " + name + " could not be read: " + e.getMessage())));
        upload.endHandler(v -> {
            openParts--;
            if (keep && !done.future().isComplete()) {
                uploads.add(new Upload(upload.name(), name, size[0] <= maxFileBytes ? content.getBytes() : null, size[0]));
            }
            finishIfComplete();
        });
    }

    private void finishIfComplete() {
        if (requestEnded && openParts == 0) {
            done.tryComplete(List.copyOf(uploads));
        }
    }
}
