package adl.dist;

import adl.backend.Backend;
import adl.backend.Device;
import adl.tensor.DType;
import adl.tensor.Tensor;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link Collectives} of a job whose ranks hold CUDA tensors (docs/08-data-parallel.md §9): the
 * all-reduce of CUDA tensors runs over NCCL on the engine's stream, everything else (CPU tensors,
 * the double sums of counts, losses and batch-norm statistics, broadcasts, the stop flag) over MPI
 * as in {@link MpiCollectives}. The NCCL communicator is made at the first CUDA all-reduce, which
 * every rank reaches at the same point of the program: rank 0 calls ncclGetUniqueId, the 128 bytes
 * go to every rank with MPI_Bcast, every rank calls ncclCommInitRank on its own GPU.
 *
 * <p>Same bits on every rank: used for 2 ranks only, where NCCL's sum of each element is a + b = b + a
 * (float addition is commutative), exactly the rounding of the host path's rank-order double sum.
 * For more ranks NCCL's reduction order is its own, so those jobs keep the host path (device →
 * host → MPI, rank-order sum) until a fixed-order device sum is written. Has run on the mock GPU's
 * mock NCCL only, never on a GPU.
 */
public final class NcclCollectives implements Collectives {
    private final MpiCollectives mpi;
    private final NativeLibrary.Found found;
    private Nccl nccl;
    private MemorySegment comm;

    NcclCollectives(MpiCollectives mpi, NativeLibrary.Found found) {
        if (mpi.size() != 2) throw new IllegalArgumentException("the NCCL path is for 2 ranks (this job has " + mpi.size() + ")");
        this.mpi = mpi;
        this.found = found;
    }

    @Override public int rank() { return mpi.rank(); }
    @Override public int size() { return mpi.size(); }

    private static boolean onCuda(Tensor t) { return Device.backendOf(t).hasDevicePointers(); }

    /** CUDA tensors: one ncclAllReduce each, per dtype inside one group; the others over MPI. */
    @Override
    public void allReduceSum(List<Tensor> tensors) {
        List<Tensor> host = new ArrayList<>(), f32 = new ArrayList<>(), f64 = new ArrayList<>();
        for (Tensor t : tensors) {
            if (!onCuda(t)) host.add(t);
            else if (!t.isContiguous()) throw new IllegalArgumentException("allReduceSum: " + t.describe() + " is not contiguous");
            else if (t.dtype() == DType.F32) f32.add(t);
            else if (t.dtype() == DType.F64) f64.add(t);
            else throw new IllegalArgumentException("allReduceSum: " + t.describe() + " is not F32 or F64");
        }
        if (!host.isEmpty()) mpi.allReduceSum(host);
        reduce(f32, Nccl.FLOAT32);
        reduce(f64, Nccl.FLOAT64);
    }

    private void reduce(List<Tensor> ts, int ncclType) {
        if (ts.isEmpty()) return;
        Backend b = Device.backendOf(ts.get(0));
        MemorySegment[] buf = new MemorySegment[ts.size()];
        long[] count = new long[ts.size()];
        for (int i = 0; i < ts.size(); i++) {
            if (Device.backendOf(ts.get(i)) != b) throw new IllegalArgumentException("allReduceSum: tensors on two devices (" + ts.get(i).describe() + ")");
            buf[i] = MemorySegment.ofAddress(b.devicePointer(ts.get(i)));
            count[i] = ts.get(i).numel();
        }
        communicator().allReduceSum(buf, buf, count, ncclType, comm, MemorySegment.ofAddress(b.streamHandle()));
    }

    /** The NCCL communicator, joined on first use (a collective: every rank calls it at the same point). */
    private synchronized Nccl communicator() {
        if (nccl == null) {
            Nccl n = new Nccl(NativeLibrary.NCCL.load(), found.ok() ? found.file().toString() : NativeLibrary.NCCL.soname());
            comm = n.join(rank(), size(), id -> mpi.broadcastBytes(id, 0));
            nccl = n;
        }
        return nccl;
    }

    @Override public double[] allReduceSum(double[] values) { return mpi.allReduceSum(values); }
    @Override public void broadcast(List<Tensor> tensors, int root) { mpi.broadcast(tensors, root); }
    @Override public String broadcast(String text, int root) { return mpi.broadcast(text, root); }
    @Override public boolean anyTrue(boolean flag) { return mpi.anyTrue(flag); }
    @Override public void barrier() { mpi.barrier(); }
    @Override public void abort(int code) { mpi.abort(code); }

    @Override
    public String describe() {
        return mpi.describe() + "; CUDA tensors over NCCL (" + (found.ok() ? found.file() : NativeLibrary.NCCL.soname()) + ", "
                + (nccl == null ? "not joined yet" : "joined") + ")";
    }

    @Override
    public synchronized void close() {
        if (nccl != null) {
            Nccl n = nccl;
            nccl = null;
            try {
                n.destroy(comm);
            } catch (RuntimeException ignored) {
                // the job ends anyway; MPI_Finalize below still runs
            }
        }
        mpi.close();
    }
}
