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

    /** The width a preset was published with, else {@link #DEFAULT_F} (a search's own F is its search width, not a retrain width). */
    static int defaultWidth(String spec) {
        Architecture preset = Presets.byName(spec);
        return preset != null ? preset.filterMultiplier() : DEFAULT_F;
    }
}
