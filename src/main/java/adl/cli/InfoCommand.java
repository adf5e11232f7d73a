package adl.cli;

import adl.backend.Device;
import adl.nas.Architecture;
import adl.nas.retrain.FixedNetwork;
import adl.nas.retrain.NetworkSummary;
import adl.nas.retrain.Presets;
import adl.nn.Init;
import adl.tensor.DType;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.Arrays;
import java.util.concurrent.Callable;

/**
 * {@code adl info --arch FILE|PRESET --size HxW}: the retrain network's stages (output shapes,
 * parameters, multiply-adds) for one image, from a shape-only walk (no activation is computed).
 * The last line is exactly {@code params=<int> multiply_adds=<int>}.
 */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = {"Describe the retrain network of an architecture: shapes, parameters and multiply-adds.",
                "Per stage for one image, from a shape-only walk (convolutions counted plainly). Last line: params=<int> multiply_adds=<int>."})
final class InfoCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--arch", required = true, paramLabel = "FILE|PRESET",
            description = "An architecture.json or a preset: auto-deeplab-s, auto-deeplab-m, auto-deeplab-l.")
    String arch;

    @Option(names = "--filter-multiplier", paramLabel = "F",
            description = "Filters per block at level 0 (default: a preset's 20/32/48; 20 for an architecture file, as retrain on real data).")
    Integer filterMultiplier;

    @Option(names = "--size", required = true, paramLabel = "HxW", description = "Input image size, e.g. 1024x2048.")
    String size;

    @Option(names = "--classes", defaultValue = "19", description = "Number of classes (default: ${DEFAULT-VALUE}, Cityscapes).")
    int classes;

    @Override
    public Integer call() {
        int[] hw = parseSize(size);
        if (filterMultiplier != null && filterMultiplier < 1) throw new CommandLine.ParameterException(spec.commandLine(), "--filter-multiplier must be >= 1, got " + filterMultiplier);
        if (classes < 1) throw new CommandLine.ParameterException(spec.commandLine(), "--classes must be >= 1, got " + classes);
        Architecture a = RunArchitecture.resolve(spec.commandLine(), arch);
        RunArchitecture.Width w = RunArchitecture.width(arch, a, filterMultiplier, false);
        int f = w.f();
        NetworkSummary s;
        try (FixedNetwork net = new FixedNetwork(new Init(Device.CPU, DType.F32, 0), new FixedNetwork.Config(a, f, classes))) {
            s = net.summary(hw[0], hw[1]);
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println("architecture: " + arch + " (F = " + f + ", " + a.blocks() + " blocks, " + classes + " classes)");
        out.println(w.why());
        out.print(a.describeCell());
        out.println("path (level per layer 1.." + a.layers() + "): " + Arrays.toString(a.path()));
        out.println("input: 3x" + hw[0] + "x" + hw[1]);
        out.print(s.table());
        out.println("params=" + s.params() + " multiply_adds=" + s.macs());
        out.flush();
        return 0;
    }

    private int[] parseSize(String text) {
        String[] p = text.toLowerCase(java.util.Locale.ROOT).split("x");
        try {
            if (p.length == 2) {
                int h = Integer.parseInt(p[0].strip()), w = Integer.parseInt(p[1].strip());
                if (h >= 1 && w >= 1) return new int[] {h, w};
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new CommandLine.ParameterException(spec.commandLine(), "--size must be HxW with positive integers (e.g. 1024x2048), got '" + text + "'");
    }
}
