package adl.cli;

import adl.data.Dataset;
import adl.data.DatasetException;
import adl.data.Datasets;
import picocli.CommandLine;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The {@code --dataset NAME --data DIR --resize F} flags of search, retrain and eval: "synthetic"
 * (built in, no folder) or a real dataset read from its published layout (DESIGN §7). Problems
 * found by the up-front checks stop the command with their one message (first files named, total
 * counted), before anything is written.
 */
final class DataChoice {
    static final String SYNTHETIC = "synthetic";

    private DataChoice() {}

    /** The canonical dataset name ("synthetic", "cityscapes", "voc", "ade20k", "folder"); a usage error otherwise. */
    static String name(CommandLine cmd, String dataset) {
        if (dataset.equals(SYNTHETIC)) return SYNTHETIC;
        try {
            return Datasets.canonical(dataset);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cmd, "--dataset: " + e.getMessage() + " (or synthetic)");
        }
    }

    /** Split {@code split} of the real dataset {@code name} under {@code data}, checked up front. */
    static Dataset open(CommandLine cmd, String name, Path data, String split, double resize) {
        if (data == null) throw new CommandLine.ParameterException(cmd, "--dataset " + name + " needs --data DIR (see datasets/" + name + ".md)");
        if (!Files.isDirectory(data)) throw new CommandLine.ParameterException(cmd, "--data " + data + ": no such directory");
        try {
            return Datasets.open(name, data, split, resize);
        } catch (DatasetException e) {
            throw new IllegalStateException(e.getMessage() + " (run ./adl datasets check --dataset " + name + " --data " + data + " for every problem)", e);
        }
    }

    /** The crop DeepLab trains a dataset at: 769 on Cityscapes, 513 elsewhere. */
    static int paperCrop(String name) { return name.equals("cityscapes") ? 769 : 513; }
}
