package adl.dist;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * {@link Collectives} over Open MPI (libmpi.so.40 of Open MPI 4/5) bound through FFM. Open MPI's
 * handles are the addresses of global symbols: MPI_COMM_WORLD = &amp;ompi_mpi_comm_world, MPI_FLOAT =
 * &amp;ompi_mpi_float, MPI_DOUBLE = &amp;ompi_mpi_double. Calls used: MPI_Init_thread (asking for
 * MPI_THREAD_SERIALIZED = 2: only the training thread communicates), MPI_Comm_rank, MPI_Comm_size,
 * MPI_Allgather, MPI_Bcast, MPI_Barrier, MPI_Abort, MPI_Finalized, MPI_Finalize. The fixed-order sums
 * are {@link HostCollectives}'s. MPI's default error handler (MPI_ERRORS_ARE_FATAL) ends the job on a
 * communication failure, so no call waits for a rank that is gone.
 */
public final class MpiCollectives extends HostCollectives {
    static final int MPI_THREAD_SERIALIZED = 2;

    private final MethodHandle allgather, bcast, barrier, abort, finalized, finalizeH;
    private final MemorySegment comm, mpiFloat, mpiDouble, mpiByte;
    private final String where;
    private final int rank, size;
    private boolean closed;

    private MpiCollectives(SymbolLookup lib, String where) {
        Linker linker = Linker.nativeLinker();
        this.where = where;
        this.comm = symbol(lib, "ompi_mpi_comm_world");
        this.mpiFloat = symbol(lib, "ompi_mpi_float");
        this.mpiDouble = symbol(lib, "ompi_mpi_double");
        this.mpiByte = symbol(lib, "ompi_mpi_byte");
        MethodHandle init = fn(lib, linker, "MPI_Init_thread", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, ADDRESS));
        MethodHandle initialized = fn(lib, linker, "MPI_Initialized", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        MethodHandle commRank = fn(lib, linker, "MPI_Comm_rank", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        MethodHandle commSize = fn(lib, linker, "MPI_Comm_size", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        // int MPI_Allgather(const void *sendbuf, int sendcount, MPI_Datatype, void *recvbuf, int recvcount, MPI_Datatype, MPI_Comm)
        allgather = fn(lib, linker, "MPI_Allgather", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS));
        // int MPI_Bcast(void *buffer, int count, MPI_Datatype, int root, MPI_Comm)
        bcast = fn(lib, linker, "MPI_Bcast", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS));
        barrier = fn(lib, linker, "MPI_Barrier", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        abort = fn(lib, linker, "MPI_Abort", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        finalized = fn(lib, linker, "MPI_Finalized", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        finalizeH = fn(lib, linker, "MPI_Finalize", FunctionDescriptor.of(JAVA_INT));
        try (Arena a = Arena.ofConfined()) {
            MemorySegment flag = a.allocate(JAVA_INT), provided = a.allocate(JAVA_INT);
            check("MPI_Initialized", (int) initialized.invokeExact(flag));
            if (flag.get(JAVA_INT, 0) == 0) {
                check("MPI_Init_thread", (int) init.invokeExact(MemorySegment.NULL, MemorySegment.NULL, MPI_THREAD_SERIALIZED, provided));
                if (provided.get(JAVA_INT, 0) < MPI_THREAD_SERIALIZED) {
                    throw new IllegalStateException(where + " grants thread level " + provided.get(JAVA_INT, 0) + " (needs MPI_THREAD_SERIALIZED)");
                }
            }
            MemorySegment r = a.allocate(JAVA_INT), s = a.allocate(JAVA_INT);
            check("MPI_Comm_rank", (int) commRank.invokeExact(comm, r));
            check("MPI_Comm_size", (int) commSize.invokeExact(comm, s));
            this.rank = r.get(JAVA_INT, 0);
            this.size = s.get(JAVA_INT, 0);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Initialises MPI from the discovered libmpi.so.40 (one per process). */
    public static MpiCollectives open() {
        NativeLibrary.Found f = NativeLibrary.MPI.locate();
        SymbolLookup lib = NativeLibrary.MPI.load();
        if (lib.find("ompi_mpi_comm_world").isEmpty()) {
            throw new IllegalStateException((f.ok() ? f.file() : "libmpi.so.40") + " is not Open MPI (no ompi_mpi_comm_world); only Open MPI 4/5 is supported");
        }
        return new MpiCollectives(lib, "Open MPI (" + (f.ok() ? f.file() : "libmpi.so.40 by soname") + ")");
    }

    private static MemorySegment symbol(SymbolLookup lib, String name) {
        return lib.find(name).orElseThrow(() -> new IllegalStateException("libmpi.so.40 does not export " + name + " (not Open MPI 4/5)"));
    }

    private static MethodHandle fn(SymbolLookup lib, Linker linker, String name, FunctionDescriptor d) {
        return linker.downcallHandle(symbol(lib, name), d);
    }

    private static void check(String call, int code) {
        if (code != 0) throw new IllegalStateException(call + " failed with MPI error code " + code);
    }

    @Override public int rank() { return rank; }
    @Override public int size() { return size; }

    @Override
    protected float[] allGather(float[] local) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment send = a.allocateFrom(ValueLayout.JAVA_FLOAT, local);
            MemorySegment recv = a.allocate(ValueLayout.JAVA_FLOAT, (long) local.length * size);
            check("MPI_Allgather", (int) allgather.invokeExact(send, local.length, mpiFloat, recv, local.length, mpiFloat, comm));
            return recv.toArray(ValueLayout.JAVA_FLOAT);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    @Override
    protected double[] allGather(double[] local) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment send = a.allocateFrom(ValueLayout.JAVA_DOUBLE, local);
            MemorySegment recv = a.allocate(ValueLayout.JAVA_DOUBLE, (long) local.length * size);
            check("MPI_Allgather", (int) allgather.invokeExact(send, local.length, mpiDouble, recv, local.length, mpiDouble, comm));
            return recv.toArray(ValueLayout.JAVA_DOUBLE);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    @Override
    protected void broadcast(double[] values, int root) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocateFrom(ValueLayout.JAVA_DOUBLE, values);
            check("MPI_Bcast", (int) bcast.invokeExact(buf, values.length, mpiDouble, root, comm));
            MemorySegment.copy(buf, ValueLayout.JAVA_DOUBLE, 0, values, 0, values.length);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Broadcasts raw bytes (native memory) from {@code root}: the NCCL unique id travels this way ({@link Nccl#join}). */
    public void broadcastBytes(MemorySegment bytes, int root) {
        try {
            check("MPI_Bcast", (int) bcast.invokeExact(bytes, Math.toIntExact(bytes.byteSize()), mpiByte, root, comm));
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    @Override
    public void barrier() {
        try {
            check("MPI_Barrier", (int) barrier.invokeExact(comm));
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    @Override
    public void abort(int code) {
        try {
            int unused = (int) abort.invokeExact(comm, code);
        } catch (Throwable ignored) {
            // MPI_Abort does not return; if it did, the caller exits with the code anyway
        }
    }

    @Override public String describe() { return where + ", rank " + rank + " of " + size; }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment flag = a.allocate(JAVA_INT);
            int code = (int) finalized.invokeExact(flag);
            if (code == 0 && flag.get(JAVA_INT, 0) == 0) check("MPI_Finalize", (int) finalizeH.invokeExact());
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
