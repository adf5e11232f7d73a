package adl.cli;

import adl.backend.Device;
import adl.data.Dataset;
import adl.train.eval.EvalReport;
import adl.train.eval.EvalResult;
import adl.train.eval.Evaluator;
import adl.train.eval.Inference;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code adl eval --run RUN_DIR}: confusion-matrix mIoU of a retrained network on a dataset split. */
@Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Evaluate a retrained network: per-class IoU and mIoU on a dataset split.",
                "IoU = TP / (TP + FP + FN); classes absent from both labels and predictions are left out of the mean. "
                        + "Single scale unless --scales or --flip. The last line is mIoU=<fraction>."})
final class EvalCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin RetrainRunOption run;
    @Option(names = "--checkpoint", paramLabel = "FILE", description = "Weights to use (default: the run's best checkpoint, else its newest).")
    Path checkpoint;
    @Option(names = "--dataset", description = "Dataset (default: the one the run trained on).")
    String dataset;
    @Option(names = "--data", paramLabel = "DIR", description = "Dataset folder (default: the run's).")
    Path data;
    @Option(names = "--split", description = "Split to score (val, train; VOC also train_aug). Default: ${DEFAULT-VALUE}. Real datasets are scored on whole images.")
    String split = "val";
    @Option(names = "--scales", split = ",", paramLabel = "S1,S2,...", hideParamSyntax = true, description = "Input scales whose probabilities are averaged, e.g. 0.5,0.75,1,1.25,1.5,1.75 (default 1).")
    List<Double> scales;
    @Option(names = "--flip", description = "Also average the left-right mirrored input.")
    boolean flip;
    @CommandLine.Mixin InferenceOptions options;

    @Override
    public Integer call() throws Exception {
        options.check(spec.commandLine());
        List<Double> s = scales == null ? List.of(1.0) : new ArrayList<>(scales);
        for (double v : s) if (!(v > 0)) throw new CommandLine.ParameterException(spec.commandLine(), "--scales must be positive numbers, got " + v);
        TrainedRun.config(spec.commandLine(), run.dir);
        Device dev = options.open(spec.commandLine(), "eval");
        if (dev == null) return 2;
        PrintWriter out = spec.commandLine().getOut();
        try (TrainedRun r = TrainedRun.open(spec.commandLine(), run.dir, checkpoint, dev)) {
            Dataset ds = r.dataset(spec.commandLine(), dataset, data, split);
            if (ds.numClasses() != r.config.classes()) {
                throw new CommandLine.ParameterException(spec.commandLine(), ds.name() + " has " + ds.numClasses() + " classes, the network predicts " + r.config.classes());
            }
            out.printf(Locale.ROOT, "eval: %s (%s) on %s, %d images, scales %s%s, %s%n", run.dir, r.checkpoint.getFileName(), ds.name(), ds.size(), s,
                    flip ? " + flip" : "", dev);
            out.flush();
            long t0 = System.nanoTime();
            EvalResult result = Evaluator.evaluate(new Inference(r.net, dev, s, flip), ds, (done, total, sample, soFar) -> {
                if (done % 50 == 0 && done < total) {
                    out.printf(Locale.ROOT, "  %d/%d images, mIoU so far %.4f%n", done, total, soFar.meanIou());
                    out.flush();
                }
            });
            out.printf(Locale.ROOT, "scored in %.1f s%n", (System.nanoTime() - t0) / 1e9);
            out.println(EvalReport.format(result));
            out.flush();
        }
        return 0;
    }
}
