package adl.cli;

import adl.data.CenterCropped;
import adl.data.Dataset;
import adl.data.DatasetException;
import adl.data.Datasets;
import adl.data.SyntheticDataset;
import adl.train.RunFiles;
import picocli.CommandLine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

/**
 * The {@code --dataset NAME --data DIR --resize F} flags of search, retrain and eval: "synthetic"
 * (built in, no folder) or a real dataset read from its published layout (datasets/README.md). Problems
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
            throw new IllegalStateException(e.oneLine() + " (run ./adl datasets check --dataset " + name + " --data " + data + " for every problem)", e);
        }
    }

    /**
     * The training and validation sets of a run: synthetic ones made from the seed (training
     * images trainSide², validation images crop²), or a real dataset's training split and centre
     * crops of its validation split.
     */
    static Dataset[] trainAndVal(CommandLine cmd, String name, String data, double resize, int trainImages, int trainSide,
                                 int valImages, int crop, long seed) {
        if (name.equals(SYNTHETIC)) {
            return new Dataset[] {new SyntheticDataset("train", trainImages, trainSide, trainSide, seed),
                new SyntheticDataset("val", valImages, crop, crop, seed)};
        }
        Path root = Path.of(data);
        return new Dataset[] {open(cmd, name, root, "train", resize), new CenterCropped(open(cmd, name, root, "val", resize), crop)};
    }

    /** {@code out}, or runs/PREFIX-date-time; refuses a folder that already holds a run. */
    static Path newRunDir(CommandLine cmd, Path out, String prefix) {
        Path dir = out != null ? out : Path.of("runs", prefix + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        if (Files.exists(dir) && !Files.isDirectory(dir)) throw new CommandLine.ParameterException(cmd, "--out " + dir + ": exists and is not a folder");
        if (Files.exists(dir.resolve(RunFiles.CONFIG))) {
            throw new CommandLine.ParameterException(cmd, dir + " already holds a run: use --resume " + dir + " to continue it, or another --out");
        }
        return dir;
    }

    /** The crop DeepLab trains a dataset at: 769 on Cityscapes, 513 elsewhere. */
    static int paperCrop(String name) { return name.equals("cityscapes") ? 769 : 513; }
}
