package io.facestream.server.ingest;

/**
 * One file part of an ingest request.
 *
 * @param file      the file name the client gave (or {@code part-<n>} when it gave none)
 * @param bytes     the content; null when it was over the byte limit and was not kept
 * @param size      how many bytes the part had
 */
record Upload(String file, byte[] bytes, long size) {
}
