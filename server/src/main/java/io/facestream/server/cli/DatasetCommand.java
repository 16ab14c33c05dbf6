package io.facestream.server.cli;

import io.facestream.dataset.ImageFolderWriter;
import io.facestream.dataset.PreviewGrid;
import io.facestream.dataset.SyntheticConfig;
import io.facestream.dataset.SyntheticFaces;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** Dataset tools. */
@Command(name = "dataset", mixinStandardHelpOptions = true, description = "Dataset tools.",
        subcommands = {DatasetCommand.Synth.class, DatasetInspectCommand.class, DatasetConvertCommand.class,
                DatasetMakeValCommand.class})
public final class DatasetCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a dataset subcommand is required");
    }

    /** Synthetic identities: a preview sheet, or an image folder to train from. */
    @Command(name = "synth", mixinStandardHelpOptions = true,
            description = "Generate synthetic face identities: --preview writes a PNG grid, --out an image folder.")
    static final class Synth implements Callable<Integer> {
        @CommandLine.Mixin
        SyntheticOptions synthetic;

        @Option(names = "--preview", description = "Write a PNG grid (one row per identity) to this file.")
        Path preview;

        @Option(names = "--preview-identities", defaultValue = "16", description = "Rows of the preview (default: ${DEFAULT-VALUE}).")
        int previewIdentities;

        @Option(names = "--preview-images", defaultValue = "12", description = "Images per row of the preview (default: ${DEFAULT-VALUE}).")
        int previewImages;

        @Option(names = "--out", description = "Write every image as an image folder (OUT/<identity>/<n>.jpg).")
        Path out;

        @Override
        public Integer call() throws Exception {
            if (preview == null && out == null) {
                throw new Main.UsageException("dataset synth needs --preview FILE and/or --out DIR");
            }
            SyntheticConfig config = synthetic.config(0);
            try (SyntheticFaces faces = new SyntheticFaces(config)) {
                if (preview != null) {
                    int rows = Math.min(previewIdentities, config.identities());
                    int cols = Math.min(previewImages, config.imagesPerIdentity());
                    PreviewGrid.write(faces, rows, cols, preview);
                    System.out.println("wrote " + rows + "x" + cols + " preview of " + faces.describe() + " to " + preview);
                }
                if (out != null) {
                    long n = ImageFolderWriter.write(faces, out);
                    System.out.println("wrote " + n + " images of " + faces.describe() + " to " + out);
                }
            }
            return 0;
        }
    }
}
