package adl.dist;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * NCCL 2 ({@code libnccl.so.2}) bound through FFM, for reducing device tensors (docs/08-data-parallel.md §9):
 * <pre>
 *   ncclResult_t ncclGetVersion(int *version)
 *   ncclResult_t ncclGetUniqueId(ncclUniqueId *id)                       ncclUniqueId = struct { char internal[128]; }
 *   ncclResult_t ncclCommInitRank(ncclComm_t *comm, int nranks, ncclUniqueId id, int rank)   (the id by value)
 *   ncclResult_t ncclAllReduce(const void *send, void *recv, size_t count, ncclDataType_t, ncclRedOp_t, ncclComm_t, cudaStream_t)
 *   ncclResult_t ncclGroupStart(void), ncclGroupEnd(void), ncclCommDestroy(ncclComm_t)
 *   const char *ncclGetErrorString(ncclResult_t)
 * </pre>
 * ncclFloat32 = 7, ncclFloat64 = 8, ncclSum = 0. Bound and tested against a fake library of the same
 * signatures; it has never run on a GPU.
 */
public final class Nccl {
    /** NCCL_UNIQUE_ID_BYTES. */
    public static final int UNIQUE_ID_BYTES = 128;
    public static final int FLOAT32 = 7, FLOAT64 = 8, SUM = 0;
    static final StructLayout UNIQUE_ID = MemoryLayout.structLayout(MemoryLayout.sequenceLayout(UNIQUE_ID_BYTES, JAVA_BYTE).withName("internal"));

    private final MethodHandle getVersion, getUniqueId, commInitRank, allReduce, groupStart, groupEnd, commDestroy, errorString;
    private final String where;

    Nccl(SymbolLookup lib, String where) {
        Linker l = Linker.nativeLinker();
        this.where = where;
        getVersion = fn(lib, l, "ncclGetVersion", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        getUniqueId = fn(lib, l, "ncclGetUniqueId", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        commInitRank = fn(lib, l, "ncclCommInitRank", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, UNIQUE_ID, JAVA_INT));
        allReduce = fn(lib, l, "ncclAllReduce", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
        groupStart = fn(lib, l, "ncclGroupStart", FunctionDescriptor.of(JAVA_INT));
        groupEnd = fn(lib, l, "ncclGroupEnd", FunctionDescriptor.of(JAVA_INT));
        commDestroy = fn(lib, l, "ncclCommDestroy", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        errorString = fn(lib, l, "ncclGetErrorString", FunctionDescriptor.of(ADDRESS, JAVA_INT));
    }

    /** The discovered libnccl.so.2 (discovery as MPI's). */
    public static Nccl load() {
        NativeLibrary.Found f = NativeLibrary.NCCL.locate();
        return new Nccl(NativeLibrary.NCCL.load(), f.ok() ? f.file().toString() : "libnccl.so.2 by soname");
    }

    private static MethodHandle fn(SymbolLookup lib, Linker l, String name, FunctionDescriptor d) {
        return l.downcallHandle(lib.find(name).orElseThrow(() -> new IllegalStateException("libnccl.so.2 does not export " + name)), d);
    }

    private void check(String call, int code) {
        if (code == 0) return;
        String text;
        try {
            text = ((MemorySegment) errorString.invokeExact(code)).reinterpret(1024).getString(0);
        } catch (Throwable t) {
            text = "error " + code;
        }
        throw new IllegalStateException(call + " failed: " + text + " (NCCL result " + code + ", " + where + ")");
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }

    /** NCCL's version code (e.g. 22304 for 2.23.4). */
    public int version() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(JAVA_INT);
            check("ncclGetVersion", (int) getVersion.invokeExact(v));
            return v.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** A new ncclUniqueId (call on rank 0 only), 128 bytes in {@code arena}. */
    public MemorySegment uniqueId(Arena arena) {
        MemorySegment id = arena.allocate(UNIQUE_ID);
        try {
            check("ncclGetUniqueId", (int) getUniqueId.invokeExact(id));
        } catch (Throwable t) {
            throw rethrow(t);
        }
        return id;
    }

    /** ncclCommInitRank: this rank's communicator of {@code nranks}, from the id every rank holds. */
    public MemorySegment initRank(int nranks, MemorySegment id, int rank) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment comm = a.allocate(ADDRESS);
            check("ncclCommInitRank", (int) commInitRank.invokeExact(comm, nranks, id, rank));
            return comm.get(ADDRESS, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * ncclAllReduce (sum) of each (send, recv, count) bucket, all inside one ncclGroupStart/End, on
     * {@code stream}; in place when send == recv. Device pointers.
     */
    public void allReduceSum(MemorySegment[] send, MemorySegment[] recv, long[] count, int dtype, MemorySegment comm, MemorySegment stream) {
        try {
            check("ncclGroupStart", (int) groupStart.invokeExact());
            try {
                for (int i = 0; i < send.length; i++) {
                    check("ncclAllReduce", (int) allReduce.invokeExact(send[i], recv[i], count[i], dtype, SUM, comm, stream));
                }
            } finally {
                check("ncclGroupEnd", (int) groupEnd.invokeExact());
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public void destroy(MemorySegment comm) {
        try {
            check("ncclCommDestroy", (int) commDestroy.invokeExact(comm));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * The bootstrap: rank 0 makes the unique id, {@code broadcast} sends its 128 bytes from rank 0 to
     * every rank (over MPI: {@link MpiCollectives#broadcastBytes}), and every rank joins the communicator.
     */
    public MemorySegment join(int rank, int size, java.util.function.Consumer<MemorySegment> broadcast) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment id = rank == 0 ? uniqueId(a) : a.allocate(UNIQUE_ID);
            broadcast.accept(id);
            return initRank(size, id, rank);
        }
    }

    public String where() { return where; }
}
