package adl.cli;

import adl.nas.Architecture;
import adl.nas.retrain.Presets;
import adl.train.RunFiles;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What {@code --arch} names: a preset (auto-deeplab-s|m|l), an architecture.json file, or a search run directory. */
final class RunArchitecture {
    /** F for an architecture file or search run when none is given: Auto-DeepLab-S's width. */
    static final int DEFAULT_F = 20;

    private RunArchitecture() {}

    static Architecture resolve(CommandLine cmd, String spec) {
        Path p = Path.of(spec);
        if (Files.isDirectory(p)) {
            Path json = p.resolve(RunFiles.ARCHITECTURE);
            if (!Files.isRegularFile(json)) {
                throw new CommandLine.ParameterException(cmd, "--arch " + spec + ": a folder without " + RunFiles.ARCHITECTURE
                        + " (not a search run directory that finished an epoch)");
            }
            try {
                return Architecture.read(json);
            } catch (IOException | IllegalArgumentException e) {
                throw new CommandLine.ParameterException(cmd, "--arch " + json + ": " + e.getMessage());
            }
        }
        try {
            return Presets.resolve(spec);
        } catch (RuntimeException e) {
            throw new CommandLine.ParameterException(cmd, "--arch: " + e.getMessage());
        }
    }

    /** The F a network is built at, and the line that says why. */
    record Width(int f, String why) {}

    /**
     * The one rule for F of retrain, info and export (paper §5.2): the flag; else 4 on the synthetic
     * data (the CPU-sized default that keeps `./adl retrain` to minutes); else a preset's published F;
     * else {@link #DEFAULT_F} (20) — an architecture file's filter_multiplier is the F it was searched
     * at (8 in the paper), not a retrain width.
     */
    static Width width(String spec, Architecture found, Integer flag, boolean synthetic) {
        if (flag != null) return new Width(flag, "F = " + flag + ": from --filter-multiplier");
        Architecture preset = Presets.byName(spec);
        String source = preset != null ? "the " + spec + " preset's F " + preset.filterMultiplier() + " is for real data"
                : "the file's filter_multiplier " + found.filterMultiplier() + " is the F it was searched at";
        if (synthetic) return new Width(RetrainCommand.SYNTHETIC_F, "F = " + RetrainCommand.SYNTHETIC_F + ": the synthetic-data default ("
                + source + "; --filter-multiplier to change)");
        if (preset != null) return new Width(preset.filterMultiplier(), "F = " + preset.filterMultiplier() + ": the " + spec + " preset's");
        String searched = source;
        return new Width(DEFAULT_F, "F = " + DEFAULT_F + ": the paper's retrain width (" + searched + "; --filter-multiplier to change)");
    }
}
