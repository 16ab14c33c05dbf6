package io.facestream.server.docs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The repository root, found from the working directory of the tests (Maven runs them in {@code server/}). */
public final class RepositoryRoot {
    private static final String SERVER_MODULE = "<module>server</module>";

    private RepositoryRoot() {
    }

    /** The nearest directory at or above the working directory whose pom.xml lists the server module. */
    public static Path find() {
        Path start = Path.of("").toAbsolutePath();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            Path pom = dir.resolve("pom.xml");
            if (Files.isRegularFile(pom) && read(pom).contains(SERVER_MODULE)) {
                return dir;
            }
        }
        throw new IllegalStateException("no pom.xml with " + SERVER_MODULE + " at or above " + start
                + ": run the tests from inside the repository");
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
