package io.facestream.dataset.lfw;

/**
 * One line of an LFW {@code pairs.txt}: two images named by person and 1-based image number, and whether the line
 * is a same-person pair (3 fields) or a different-person pair (4 fields).
 *
 * @param line the 1-based line number in the file, for messages
 */
public record LfwPair(String name1, int image1, String name2, int image2, boolean same, int line) {

    /** The LFW file name of an image: {@code <name>/<name>_0001.jpg}, with the extension given. */
    public static String fileName(String name, int image, String extension) {
        return name + "/" + name + "_" + String.format("%04d", image) + "." + extension;
    }
}
