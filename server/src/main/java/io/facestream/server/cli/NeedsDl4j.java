package io.facestream.server.cli;

/**
 * Marks a command that needs DL4J and ND4J (training or inference). {@code facestream-slim.jar}, the jar of the
 * images that carry no native libraries (sampler, topics), leaves them out; {@link Main} refuses such a command
 * there with one line naming the jar to use, instead of a {@code NoClassDefFoundError} somewhere mid-start.
 */
interface NeedsDl4j {
    /** A class every DL4J command loads: present in {@code facestream.jar}, absent from the slim jar. */
    String PROBE = "org.nd4j.linalg.factory.Nd4j";

    /** Whether this JVM can load DL4J and ND4J. */
    static boolean available() {
        try {
            Class.forName(PROBE, false, NeedsDl4j.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    /** The one-line refusal for {@code command} when DL4J is not in the jar. */
    static String refusal(String command) {
        return "'" + command + "' needs DL4J and ND4J, which this jar leaves out (facestream-slim.jar, of the images "
                + "without native libraries, runs sampler, topics and the other commands that need no model): run it "
                + "from facestream.jar (image facestream:cpu or facestream:cuda)";
    }
}
