package io.facestream.server.cli;

import io.facestream.protocol.config.Settings;
import io.facestream.dataset.IdentitySource;
import io.facestream.dataset.formats.BadRecordException;
import io.facestream.dataset.formats.DatasetFormatException;
import io.facestream.dataset.registry.DatasetFormats;
import io.facestream.dataset.formats.DatasetOptions;
import io.facestream.dataset.lfw.LfwPairsException;
import io.facestream.trainer.validation.TargetSpec;
import io.facestream.trainer.validation.ValidationFormatException;
import io.facestream.trainer.validation.ValidationSets;
import io.facestream.trainer.validation.ValidationTargets;

import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
     * A loader of the validation targets ({@code trainer.validation}), read when the model's input size is known;
     * a missing path is reported now, a malformed file when it is read, each naming the key and the target.
     *
     * @param heldOut builds the role's held-out pairs, for a {@code held-out} target
     */
    static ValidationTargets.Loader validation(List<TargetSpec> targets, ValidationSets.Loader heldOut) throws Exception {
        call(() -> {
            ValidationTargets.requireExisting(targets);
            return null;
        });
        return decoder -> call(() -> ValidationTargets.load(targets, heldOut, decoder));
    }

    /** The {@code trainer.validation} value a {@code --validation PATH [--validation-images DIR]} flag stands for. */
    static String validationFlag(Path path, Path images) {
        if (!Files.exists(path)) {
            throw new Main.UsageException("--validation " + path + ": no such file or directory");
        }
        return TargetSpec.of(path, images).toString();
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
