package adl.cli;

import adl.backend.Device;
import adl.data.Dataset;
import adl.train.RunFiles;
import adl.train.Validation;
import adl.train.report.RetrainReport;
import adl.train.report.SearchReport;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code adl report --run RUN_DIR}: (re)writes the run's report.html, one self-contained page
 * (no JavaScript, nothing fetched). search and retrain also write it after every epoch / validation.
 */
@Command(name = "report", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Write a run's report.html: one self-contained page of its curves and results.",
                "No JavaScript, images embedded, nothing fetched. A search run: config, curves, softmax(α) with the kept ops, "
                        + "β̂ with the decoded path, the cell, the architecture per epoch, time and memory. A retrain run: curves, "
                        + "per-class IoU, sample predictions beside the truth, parameters and multiply-adds. search and retrain "
                        + "also write it after every epoch or validation."})
final class ReportCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--run", required = true, paramLabel = "RUN_DIR", description = "A search or retrain run directory.")
    Path run;

    @Override
    public Integer call() throws Exception {
        CommandLine cmd = spec.commandLine();
        RunFiles files = new RunFiles(run);
        if (!Files.isDirectory(run)) throw new CommandLine.ParameterException(cmd, "--run " + run + ": no such directory");
        if (!Files.exists(files.file(RunFiles.CONFIG))) throw new CommandLine.ParameterException(cmd, "--run " + run + ": no config.json there (not a run directory)");
        Path page;
        if (Files.exists(files.file(RunFiles.SPLIT))) {
            page = SearchReport.write(run, true);
        } else {
            try (TrainedRun r = TrainedRun.open(cmd, run, null, Device.CPU)) {
                Dataset val = r.dataset(cmd, null, null, "val");
                Validation.Scores scores = Validation.run(r.net, val, r.config.valImages(), 1, Device.CPU);
                page = RetrainReport.write(run, new RetrainReport.Inputs(r.net, val, r.palette(), scores.confusion(), r.config.crop(), Device.CPU), true);
            }
        }
        cmd.getOut().println("wrote " + page);
        cmd.getOut().flush();
        return 0;
    }
}
