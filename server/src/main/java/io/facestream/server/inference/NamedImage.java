package io.facestream.server.inference;

/**
 * One uploaded image.
 *
 * @param name  its part name in the request ({@code image}, {@code a}, {@code b}), used in error messages
 * @param bytes the encoded image
 */
public record NamedImage(String name, byte[] bytes) {
}
