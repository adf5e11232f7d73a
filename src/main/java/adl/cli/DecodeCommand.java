package adl.cli;

import adl.nas.Architecture;
import adl.train.Checkpoint;
import adl.train.RunFiles;
import adl.train.RunLock;
import adl.train.SearchConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code adl decode --run RUN_DIR}: re-derives the architecture from a search run's newest checkpoint. */
@Command(name = "decode", mixinStandardHelpOptions = true,
        description = {"Decode the cell and the network path from a search run's newest checkpoint.",
                "The cell keeps the top-2 edges per block, the path is Viterbi over β; both are printed and architecture.json is rewritten."})
final class DecodeCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--run", required = true, paramLabel = "RUN_DIR", description = "A search run directory.")
    Path run;

    @Option(names = "--checkpoint", paramLabel = "FILE", description = "Decode this checkpoint (default: the newest one; checkpoints/best.safetensors is the best epoch).")
    Path checkpoint;

    @Override
    public Integer call() throws Exception {
        RunFiles files = new RunFiles(run);
        if (!Files.isDirectory(run)) throw new CommandLine.ParameterException(spec.commandLine(), "--run " + run + ": no such directory");
        SearchConfig cfg = files.readJson(RunFiles.CONFIG, SearchConfig.class);
        Path ckpt = checkpoint != null ? checkpoint : files.latestCheckpoint();
        if (ckpt == null) throw new IllegalStateException(run + " has no checkpoint yet (checkpoints are written after each epoch)");
        if (!Files.isRegularFile(ckpt)) throw new CommandLine.ParameterException(spec.commandLine(), "--checkpoint " + ckpt + ": no such file");
        PrintWriter err = spec.commandLine().getErr();
        Architecture a = Checkpoint.architecture(ckpt, cfg.filterMultiplier(), w -> { err.println(w); err.flush(); });
        try (RunLock lock = RunLock.acquire(run)) {
            files.writeAtomically(RunFiles.ARCHITECTURE, a.toJson() + "\n");
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println("decoded from " + ckpt);
        out.print(a.describeCell());
        out.println("path (level per layer 1.." + a.layers() + "): " + java.util.Arrays.toString(a.path()));
        out.println("wrote " + files.file(RunFiles.ARCHITECTURE));
        out.flush();
        return 0;
    }
}
