package adl.cli;

import adl.backend.Device;
import adl.data.Normalization;
import adl.data.Palette;
import adl.data.Palettes;
import adl.nas.Architecture;
import adl.nas.retrain.FixedNetwork;
import adl.nn.Init;
import adl.tensor.DType;
import adl.train.Checkpoint;
import adl.train.export.OnnxExport;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code adl export --run RUN_DIR --output model.onnx}: the retrained network as an ONNX model
 * (docs/09-deployment.md): dynamic N, H, W; class names, palette and normalisation in the metadata.
 * {@code --arch} exports an architecture with freshly initialised weights, or those of {@code --checkpoint}.
 */
@Command(name = "export", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Export a retrained network as an ONNX model (docs/09-deployment.md).",
                "Opset 17 with dynamic batch, height and width: input 'image' [N, 3, H, W] normalised as in training, "
                        + "output 'logits' [N, classes, H, W]; class names, palette and normalisation in its metadata."})
final class ExportCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    static final class Source {
        @Option(names = "--run", required = true, paramLabel = "RUN_DIR", description = "A retrain run directory (its best checkpoint unless --checkpoint).")
        Path run;
        @Option(names = "--arch", required = true, paramLabel = "FILE|PRESET|RUN_DIR",
                description = "Instead of --run: auto-deeplab-s|m|l, an architecture.json or a search run directory, with fresh weights unless --checkpoint.")
        String arch;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;
    @Option(names = "--output", required = true, paramLabel = "FILE", description = "The .onnx file to write (folders created if missing).")
    Path output;
    @Option(names = "--checkpoint", paramLabel = "FILE", description = "Weights to export (default: with --run its best checkpoint, else its newest; with --arch fresh weights).")
    Path checkpoint;
    @Option(names = "--filter-multiplier", paramLabel = "F", description = "With --arch: F (default: the preset's 20/32/48, else 20).")
    Integer filterMultiplier;
    @Option(names = "--dataset", description = "With --arch: the classes and palette to export (cityscapes, voc, ade20k, synthetic). "
            + "Default: ${DEFAULT-VALUE}.")
    String dataset = "cityscapes";

    @Override
    public Integer call() throws Exception {
        CommandLine cmd = spec.commandLine();
        PrintWriter out = cmd.getOut();
        if (source.run != null) {
            if (filterMultiplier != null) throw new CommandLine.ParameterException(cmd, "--filter-multiplier goes with --arch; a run exports the F it trained");
            try (TrainedRun r = TrainedRun.open(cmd, source.run, checkpoint, Device.CPU)) {
                write(out, r.net, r.palette(), Map.of("run", source.run.toAbsolutePath().normalize().toString(), "checkpoint", r.checkpoint.getFileName().toString()),
                        "run " + source.run + " (" + r.checkpoint.getFileName() + ")");
            }
            return 0;
        }
        Architecture a = RunArchitecture.resolve(cmd, source.arch);
        RunArchitecture.Width w = RunArchitecture.width(source.arch, a, filterMultiplier, DataChoice.SYNTHETIC.equals(dataset));
        int f = w.f();
        cmd.getErr().println(w.why());
        if (f < 1) throw new CommandLine.ParameterException(cmd, "--filter-multiplier must be >= 1, got " + f);
        Palette palette;
        try {
            palette = Palettes.forDataset(dataset);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cmd, "--dataset: " + e.getMessage());
        }
        try (FixedNetwork net = new FixedNetwork(new Init(Device.CPU, DType.F32, 0), new FixedNetwork.Config(a, f, palette.size()))) {
            String weights = "fresh weights (seed 0)";
            if (checkpoint != null) {
                if (!Files.isRegularFile(checkpoint)) throw new CommandLine.ParameterException(cmd, "--checkpoint " + checkpoint + ": no such file");
                try {
                    Checkpoint.loadModel(checkpoint, net, warning -> cmd.getErr().println(warning));
                } catch (IOException | RuntimeException e) {
                    throw new IOException("cannot load " + checkpoint + " into " + source.arch + " at F = " + f + ": " + e.getMessage(), e);
                }
                weights = checkpoint.getFileName().toString();
            }
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("arch", source.arch);
            meta.put("weights", weights);
            write(out, net, palette, meta, source.arch + " at F = " + f + ", " + weights);
        }
        return 0;
    }

    private void write(PrintWriter out, FixedNetwork net, Palette palette, Map<String, String> meta, String what) throws IOException {
        OnnxExport.Summary s = OnnxExport.write(net, palette, Normalization.SYNTHETIC, meta, output);
        out.printf(Locale.ROOT, "export: %s -> %s (%.1f MiB, %d nodes, %d initializers, opset 17)%n", what, output, s.bytes() / 1048576.0, s.nodes(), s.initializers());
        out.printf(Locale.ROOT, "input 'image' float32 [N, 3, H, W], (v/255 - mean)/std per channel; output 'logits' float32 [N, %d, H, W]; classes: %s%n",
                palette.size(), String.join(", ", palette.names()));
        out.flush();
    }
}
