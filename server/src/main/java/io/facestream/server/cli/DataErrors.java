package io.facestream.server.cli;

import io.facestream.protocol.config.Settings;
import io.facestream.dataset.IdentitySource;
import io.facestream.dataset.formats.BadRecordException;
import io.facestream.dataset.formats.DatasetFormatException;
import io.facestream.dataset.registry.DatasetFormats;
import io.facestream.dataset.formats.DatasetOptions;
import io.facestream.dataset.lfw.LfwPairsException;
import io.facestream.trainer.validation.ValidationFormatException;
import io.facestream.trainer.validation.ValidationSets;

import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * Opens datasets and validation sets for the commands, and turns the failures bad input causes (no such path, an unknown layout, a bad record
 * under the fail policy, a malformed pairs file, a refused plan) into one line on stderr and exit status 2, like
 * every other usage error; anything else propagates.
 */
final class DataErrors {
    private DataErrors() {
    }

    /** Opens a training set with the {@code sampler.*} dataset settings; bad input is a usage error. */
    static IdentitySource open(Path data, Settings settings) throws Exception {
        return call(() -> DatasetFormats.open(data, DatasetOptions.from(settings)));
    }

    /**
     * A loader of the validation set at {@code path} (read when the model's input size is known); a missing path
     * is reported now, a malformed file when it is read.
     */
    static ValidationSets.Loader validation(Path path, Path images) {
        if (!Files.exists(path)) {
            throw new Main.UsageException("--validation " + path + ": no such file or directory");
        }
        return decoder -> call(() -> ValidationSets.open(path, images, decoder));
    }

    static int run(Callable<Integer> command) throws Exception {
        return call(command);
    }

    private static <T> T call(Callable<T> command) throws Exception {
        try {
            return command.call();
        } catch (FileSystemException | DatasetFormatException | BadRecordException | LfwPairsException
                 | ValidationFormatException e) {
            throw new Main.UsageException(e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new Main.UsageException(e.getMessage());
        }
    }
}
