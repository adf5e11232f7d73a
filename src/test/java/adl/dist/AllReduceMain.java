package adl.dist;

import adl.backend.Device;
import adl.cli.BackendWiring;
import adl.backend.Tensors;
import adl.tensor.DType;
import adl.tensor.Shape;
import adl.tensor.Tensor;

import java.util.List;

/**
 * Run by {@link MpiJobTest} under {@code mpirun -np N}: every rank fills tensors with values of its
 * own (rank-dependent, with float rounding in play), all-reduces them, checks the sum against the
 * rank-order double sum it computes itself from the formula, and prints one line with the bits'
 * hash, which must agree across ranks.
 */
public final class AllReduceMain {
    public static void main(String[] args) {
        BackendWiring.install();
        World world = World.fromEnvironment();
        try (Collectives c = Distributed.open(world)) {
            int n = c.size();
            // three tensors, one larger than a bucket slice would hold if BUCKET were tiny; odd sizes
            int[] sizes = {7, 1000, 3};
            List<Tensor> ts = new java.util.ArrayList<>();
            for (int s : sizes) ts.add(Tensors.of(Device.CPU, DType.F32, Shape.of(s), values(c.rank(), s)));
            Tensor f64 = Tensors.of(Device.CPU, DType.F64, Shape.of(5), values(c.rank(), 5));
            ts.add(f64);
            c.allReduceSum(ts);
            long hash = 17;
            for (int t = 0; t < ts.size(); t++) {
                double[] got = Tensors.toDoubles(ts.get(t));
                for (int i = 0; i < got.length; i++) {
                    double expect = 0;
                    for (int r = 0; r < n; r++) expect += ts.get(t).dtype() == DType.F32 ? (float) values(r, got.length)[i] : values(r, got.length)[i];
                    if (ts.get(t).dtype() == DType.F32) expect = (float) expect;
                    if (Double.doubleToLongBits(expect) != Double.doubleToLongBits(got[i])) {
                        System.out.println("rank " + c.rank() + ": tensor " + t + "[" + i + "] = " + got[i] + ", expected " + expect);
                        c.abort(3);
                        System.exit(3);
                    }
                    hash = hash * 31 + Double.doubleToLongBits(got[i]);
                }
            }
            double[] d = c.allReduceSum(new double[] {c.rank() + 1, 0.1});
            boolean any = c.anyTrue(c.rank() == n - 1);
            boolean none = c.anyTrue(false);
            Tensor b = Tensors.of(Device.CPU, DType.F32, Shape.of(2), c.rank() * 10 + 1, c.rank() * 10 + 2);
            c.broadcast(List.of(b), n - 1);
            String dir = c.broadcast(c.rank() == 0 ? "runs/é-" + n : "ignored", 0);
            if (!dir.equals("runs/é-" + n)) {
                System.out.println("rank " + c.rank() + ": broadcast string " + dir);
                c.abort(4);
            }
            c.barrier();
            System.out.println("rank " + c.rank() + " of " + n + " ok hash " + Long.toHexString(hash) + " sum " + d[0] + " " + d[1]
                    + " any " + any + " none " + none + " bcast " + java.util.Arrays.toString(Tensors.toDoubles(b)));
        }
    }

    /** Rank r's values: not exactly representable in float, different per rank and position. */
    static double[] values(int rank, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = Math.sin(1 + i * 0.37 + rank * 1.1) * (1 + rank) / 3.0;
        return v;
    }
}
