package io.facestream.server.http;

/**
 * One file part of a multipart request (an ingest request, or an image sent to the image API).
 *
 * @param field     the form field the part was sent as (e.g. {@code image}, {@code a})
 * @param file      the file name the client gave (or {@code part-<n>} when it gave none)
 * @param bytes     the content; null when it was over the byte limit and was not kept
 * @param size      how many bytes the part had
 */
public record Upload(String field, String file, byte[] bytes, long size) {
}
