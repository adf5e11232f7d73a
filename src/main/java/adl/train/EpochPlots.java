package adl.train;

import adl.nas.Architecture;
import adl.nas.SuperNet;

/** The PNG plots written after each epoch (loss/mIoU curves, α heatmap, β trellis, the decoded cell). */
final class EpochPlots {
    private final RunFiles files;

    EpochPlots(RunFiles files, int classes) { this.files = files; }

    void write(SuperNet net, Architecture arch) {
        // filled in when the plot writers land
    }
}
