package adl.cli;

import adl.backend.Device;
import adl.data.Dataset;
import adl.data.Datasets;
import adl.data.Palette;
import adl.data.Palettes;
import adl.data.SyntheticDataset;
import adl.nas.Architecture;
import adl.nas.retrain.FixedNetwork;
import adl.nn.Init;
import adl.tensor.DType;
import adl.train.Checkpoint;
import adl.train.RetrainConfig;
import adl.train.RunFiles;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A finished (or interrupted) retrain run opened for use: its config, architecture, and the
 * network with the weights of a checkpoint — the best one unless another is named — on a device.
 * What {@code eval} and {@code predict} start from.
 */
final class TrainedRun implements AutoCloseable {
    final RetrainConfig config;
    final Architecture architecture;
    final FixedNetwork net;
    final Path checkpoint;

    private TrainedRun(RetrainConfig config, Architecture architecture, FixedNetwork net, Path checkpoint) {
        this.config = config;
        this.architecture = architecture;
        this.net = net;
        this.checkpoint = checkpoint;
    }

    /** Opens {@code run}; errors name what is missing (wrong folder, a search run, no checkpoint yet). */
    static TrainedRun open(CommandLine cmd, Path run, Path checkpoint, Device device) throws IOException {
        RetrainConfig cfg = config(cmd, run);
        RunFiles files = new RunFiles(run);
        Path ckpt = checkpoint;
        if (ckpt == null) ckpt = Files.exists(files.bestCheckpoint()) ? files.bestCheckpoint() : files.latestCheckpoint();
        if (ckpt == null) throw new IllegalStateException(run + " has no checkpoint yet (one is written at every evaluation)");
        if (!Files.isRegularFile(ckpt)) throw new CommandLine.ParameterException(cmd, "--checkpoint " + ckpt + ": no such file");
        Architecture a;
        try {
            a = Architecture.read(files.file(RunFiles.ARCHITECTURE));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cmd, "--run " + run + ": " + files.file(RunFiles.ARCHITECTURE) + ": " + e.getMessage());
        }
        FixedNetwork net = new FixedNetwork(new Init(device, DType.F32, cfg.seed()), cfg.network(a));
        try {
            Checkpoint.loadModel(ckpt, net, w -> { cmd.getErr().println(w); cmd.getErr().flush(); });
        } catch (IOException | RuntimeException e) {
            net.close();
            String m = e.getMessage() != null && e.getMessage().startsWith(ckpt.toString()) ? e.getMessage() : ckpt + ": " + Main.message(e);
            throw new IOException("cannot load " + m, e);
        }
        net.eval();
        return new TrainedRun(cfg, a, net, ckpt);
    }

    /** The config of retrain run {@code run}: a usage error naming what is wrong when it is not one (checked before a device is chosen). */
    static RetrainConfig config(CommandLine cmd, Path run) {
        RunFiles files = new RunFiles(run);
        if (!Files.isDirectory(run)) throw new CommandLine.ParameterException(cmd, "--run " + run + ": no such directory");
        if (!Files.exists(files.file(RunFiles.CONFIG)) || !Files.exists(files.file(RunFiles.ARCHITECTURE))) {
            throw new CommandLine.ParameterException(cmd, "--run " + run + ": no config.json and architecture.json there (not a retrain run directory)");
        }
        RetrainConfig cfg;
        try {
            cfg = files.readJson(RunFiles.CONFIG, RetrainConfig.class);
        } catch (IOException e) {
            throw new CommandLine.ParameterException(cmd, Files.exists(files.file(RunFiles.SPLIT))
                    ? "--run " + run + ": its config.json is not a retrain config (this is a search run: retrain its architecture first, adl retrain --arch " + run + ")"
                    : "--run " + run + ": " + e.getMessage());
        }
        return cfg;
    }

    /**
     * Split {@code split} of dataset {@code name} (the run's own by default) under {@code data} (the run's folder by
     * default): synthetic "train" / "val" as the run made them; a real dataset's images whole, as read (with the
     * run's --resize), so that eval scores full images.
     */
    Dataset dataset(CommandLine cmd, String name, Path data, String split) {
        String dsName = name != null ? DataChoice.name(cmd, name) : config.dataset();
        if (dsName.equals(DataChoice.SYNTHETIC)) {
            return switch (split) {
                case "val" -> new SyntheticDataset("val", config.valImages(), config.crop(), config.crop(), config.seed());
                case "train" -> new SyntheticDataset("train", config.trainImages(), config.imageSize(), config.imageSize(), config.seed());
                default -> throw new CommandLine.ParameterException(cmd, "--split must be train or val for synthetic data, got '" + split + "'");
            };
        }
        Path dir = data != null ? data : config.data() != null ? Path.of(config.data()) : null;
        return DataChoice.open(cmd, dsName, dir, split, config.resize());
    }

    /** Class colours of the run's dataset (a folder dataset's from its classes.json). */
    Palette palette() {
        return config.dataset().equals(DataChoice.SYNTHETIC) ? Palettes.synthetic() : Datasets.palette(config.dataset(), Path.of(config.data()));
    }

    @Override public void close() { net.close(); }
}
