package adl.nas.retrain;

import adl.backend.Device;
import adl.backend.Tensors;
import adl.nas.Architecture;
import adl.nas.CellEdge;
import adl.nas.Primitive;
import adl.nas.SearchSpace;
import adl.nn.Init;
import adl.tensor.DType;
import adl.tensor.Shape;
import adl.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Small retrain networks for tests: narrow stem/ASPP/decoder so a forward at 321×321 stays quick. */
final class Nets {
    private Nets() {}

    static final FixedNetwork.Widths SMALL = new FixedNetwork.Widths(8, 16, 16, 8, 16);

    static Architecture paper(int f) { return new Architecture(Presets.PAPER_CELL, Presets.PAPER_PATH, f); }

    static FixedNetwork build(Architecture a, int f, int classes, long seed) {
        return new FixedNetwork(new Init(Device.CPU, DType.F32, seed), new FixedNetwork.Config(a, f, classes).withWidths(SMALL));
    }

    static Tensor images(int n, int h, int w, long seed) {
        return Tensors.randn(Device.CPU, DType.F32, Shape.of(n, 3, h, w), seed, 0, 1);
    }

    /** A search-shaped cell (B blocks, 2 entries each, any op but 'none', any earlier state) from a seed. */
    static List<CellEdge> randomCell(int blocks, SplittableRandom r) {
        List<CellEdge> cell = new ArrayList<>();
        List<Primitive> ops = SearchSpace.PAPER.ops();
        for (int b = 0; b < blocks; b++) {
            for (int k = 0; k < 2; k++) cell.add(new CellEdge(ops.get(1 + r.nextInt(ops.size() - 1)), r.nextInt(2 + b)));
        }
        return cell;
    }

    /** A valid random path of {@code layers} levels starting at {@code first} (0 or 1). */
    static int[] randomPath(int layers, int first, SplittableRandom r) {
        int[] p = new int[layers];
        p[0] = first;
        for (int l = 1; l < layers; l++) {
            int v = p[l - 1] + r.nextInt(3) - 1;
            p[l] = Math.max(0, Math.min(3, v));
        }
        return p;
    }
}
