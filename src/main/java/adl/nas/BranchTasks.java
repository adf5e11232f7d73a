package adl.nas;

import adl.autograd.GradMode;
import adl.autograd.ParallelBranches;
import adl.autograd.Recompute;
import adl.backend.Backend;
import adl.backend.Device;
import adl.nn.FrozenRunningStats;
import adl.tensor.Tensor;

import java.util.function.IntConsumer;

/**
 * How a {@link MixedOp} runs its branches: as tasks over the backend's threads where the backend
 * says that pays ({@link Backend#parallelTasks}: the CPU with several threads, an edge small enough
 * that its kernels alone would not keep them busy), else one after another. Either way the bits
 * are the same ({@link ParallelBranches}).
 */
final class BranchTasks implements ParallelBranches.Tasks {
    private final Backend backend;

    private BranchTasks(Backend backend) { this.backend = backend; }

    /** The tasks for an edge whose input is x. */
    static ParallelBranches.Tasks forInput(Tensor x) {
        Backend be = Device.backendOf(x);
        return be.parallelTasks(x.numel()) ? new BranchTasks(be) : ParallelBranches.SERIAL;
    }

    /** Each task runs with the calling thread's grad mode, recompute flag and frozen running statistics. */
    @Override
    public void forEach(int n, IntConsumer task) {
        boolean grad = GradMode.isEnabled(), recomputing = Recompute.recomputing(), frozen = FrozenRunningStats.active();
        backend.forEachTask(n, i -> {
            try (GradMode.Guard g = grad ? GradMode.on() : GradMode.off();
                 Recompute.Mark r = Recompute.mark(recomputing);
                 FrozenRunningStats f = frozen ? FrozenRunningStats.freeze() : null) {
                task.accept(i);
            }
        });
    }
}
