package adl.backend.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static adl.backend.cuda.Binding.I;
import static adl.backend.cuda.Binding.L;
import static adl.backend.cuda.Binding.P;
import static adl.backend.cuda.Binding.status;

/**
 * The CUDA driver API subset the backend uses ({@code libcuda.so.1}), bound through FFM under the
 * versioned symbol names that {@code cuda.h} (CUDA 13) maps the plain names to ({@code cuMemAlloc} →
 * {@code cuMemAlloc_v2}, {@code cuEventElapsedTime} → {@code cuEventElapsedTime_v2}, ...). Contexts are
 * primary contexts only (never {@code cuCtxCreate}); every thread that calls CUDA sets the context first
 * ({@link CudaContext#makeCurrent()}).
 *
 * <p>Every call checks its CUresult and throws {@link CudaException} with the function, the error name
 * and description, and the sizes involved. Handles: device pointers are {@code long}; contexts, streams,
 * events, modules, functions, graphs are {@link MemorySegment} addresses.
 */
public final class CudaDriver {
    /** Every bound function with its C signature, in one place; checked against cuda.h by a test. */
    public static final List<Binding> BINDINGS = Binding.table(
            status("cuInit", I),                                  // (unsigned int Flags)
            status("cuDriverGetVersion", P),                      // (int *driverVersion)
            status("cuDeviceGetCount", P),                        // (int *count)
            status("cuDeviceGet", P, I),                          // (CUdevice *device, int ordinal)
            status("cuDeviceGetName", P, I, I),                   // (char *name, int len, CUdevice dev)
            status("cuDeviceTotalMem_v2", P, I),                  // (size_t *bytes, CUdevice dev)
            status("cuDeviceGetAttribute", P, I, I),              // (int *pi, CUdevice_attribute attrib, CUdevice dev)
            status("cuDevicePrimaryCtxRetain", P, I),             // (CUcontext *pctx, CUdevice dev)
            status("cuDevicePrimaryCtxRelease_v2", I),            // (CUdevice dev)
            status("cuCtxSetCurrent", P),                         // (CUcontext ctx)
            status("cuCtxSynchronize"),                           // (void)
            status("cuMemGetInfo_v2", P, P),                      // (size_t *free, size_t *total)
            status("cuMemAlloc_v2", P, L),                        // (CUdeviceptr *dptr, size_t bytesize)
            status("cuMemFree_v2", L),                            // (CUdeviceptr dptr)
            status("cuMemcpyHtoDAsync_v2", L, P, L, P),           // (CUdeviceptr dst, const void *src, size_t n, CUstream s)
            status("cuMemcpyDtoHAsync_v2", P, L, L, P),           // (void *dst, CUdeviceptr src, size_t n, CUstream s)
            status("cuMemsetD32Async", L, I, L, P),               // (CUdeviceptr dst, unsigned int ui, size_t N, CUstream s)
            status("cuMemHostAlloc", P, L, I),                    // (void **pp, size_t bytesize, unsigned int Flags)
            status("cuMemFreeHost", P),                           // (void *p)
            status("cuStreamCreate", P, I),                       // (CUstream *phStream, unsigned int Flags)
            status("cuStreamSynchronize", P),                     // (CUstream hStream)
            status("cuStreamDestroy_v2", P),                      // (CUstream hStream)
            status("cuEventCreate", P, I),                        // (CUevent *phEvent, unsigned int Flags)
            status("cuEventRecord", P, P),                        // (CUevent hEvent, CUstream hStream)
            status("cuEventSynchronize", P),                      // (CUevent hEvent)
            status("cuEventElapsedTime_v2", P, P, P),             // (float *pMilliseconds, CUevent hStart, CUevent hEnd)
            status("cuEventDestroy_v2", P),                       // (CUevent hEvent)
            status("cuModuleLoadDataEx", P, P, I, P, P),          // (CUmodule *m, const void *image, unsigned n, CUjit_option *o, void **v)
            status("cuModuleGetFunction", P, P, P),               // (CUfunction *hfunc, CUmodule hmod, const char *name)
            status("cuModuleUnload", P),                          // (CUmodule hmod)
            status("cuLaunchKernel", P, I, I, I, I, I, I, I, P, P, P), // (f, grid xyz, block xyz, shared, stream, params, extra)
            status("cuStreamBeginCapture_v2", P, I),              // (CUstream hStream, CUstreamCaptureMode mode)
            status("cuStreamEndCapture", P, P),                   // (CUstream hStream, CUgraph *phGraph)
            status("cuGraphInstantiateWithFlags", P, P, L),       // (CUgraphExec *e, CUgraph g, unsigned long long flags)
            status("cuGraphLaunch", P, P),                        // (CUgraphExec hGraphExec, CUstream hStream)
            status("cuGraphExecDestroy", P),                      // (CUgraphExec hGraphExec)
            status("cuGraphDestroy", P),                          // (CUgraph hGraph)
            status("cuGetErrorName", I, P),                       // (CUresult error, const char **pStr)
            status("cuGetErrorString", I, P));                    // (CUresult error, const char **pStr)

    public static final int CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT = 16;
    public static final int CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75;
    public static final int CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = 76;
    public static final int CU_STREAM_NON_BLOCKING = 1;
    public static final int CU_EVENT_DEFAULT = 0;
    public static final int CU_MEMHOSTALLOC_PORTABLE = 1;
    public static final int CU_STREAM_CAPTURE_MODE_GLOBAL = 0;
    public static final int CU_STREAM_CAPTURE_MODE_THREAD_LOCAL = 1;
    public static final int CU_STREAM_CAPTURE_MODE_RELAXED = 2;

    private final Downcalls d;

    /** Binds against an already loaded library (a test may pass any lookup). */
    public CudaDriver(SymbolLookup lookup) {
        this.d = new Downcalls("CUDA driver", lookup, BINDINGS);
    }

    // ---- errors -------------------------------------------------------------------------------

    private void check(int r, String fn, String args) {
        if (r != 0) throw new CudaException("CUDA driver", fn, r, errorName(r), errorString(r), args);
    }

    /** {@code cuGetErrorName}, or {@code CUresult <n>} when the driver does not know the code. */
    public String errorName(int code) { return errorText("cuGetErrorName", code); }

    /** {@code cuGetErrorString}, or an empty string when the driver does not know the code. */
    public String errorString(int code) {
        String s = errorText("cuGetErrorString", code);
        return s.startsWith("CUresult ") ? "" : s;
    }

    private String errorText(String fn, int code) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ValueLayout.ADDRESS);
            int r = (int) d.handle(fn).invokeExact(code, out);
            MemorySegment str = out.get(ValueLayout.ADDRESS, 0);
            if (r != 0 || str.equals(MemorySegment.NULL)) return "CUresult " + code;
            return str.reinterpret(4096).getString(0, StandardCharsets.UTF_8);
        } catch (Throwable t) {
            return "CUresult " + code;
        }
    }

    // ---- init, devices ------------------------------------------------------------------------

    public void init() {
        try { check((int) d.handle("cuInit").invokeExact(0), "cuInit", "0"); }
        catch (Throwable t) { throw Downcalls.rethrow(t); }
    }

    /** Driver version as {@code 1000 * major + 10 * minor}, e.g. 13000. */
    public int driverVersion() { return intOut("cuDriverGetVersion"); }

    public int deviceCount() { return intOut("cuDeviceGetCount"); }

    private int intOut(String fn) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ValueLayout.JAVA_INT);
            check((int) d.handle(fn).invokeExact(out), fn, "");
            return out.get(ValueLayout.JAVA_INT, 0);
        } catch (Throwable t) { throw Downcalls.rethrow(t); }
    }

    /** The CUdevice of {@code ordinal}. */
    public int device(int ordinal) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ValueLayout.JAVA_INT);
            check((int) d.handle("cuDeviceGet").invokeExact(out, ordinal), "cuDeviceGet", "ordinal=" + ordinal);
            return out.get(ValueLayout.JAVA_INT, 0);
        } catch (Throwable t) { throw Downcalls.rethrow(t); }
    }

    public String deviceName(int dev) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(256);
            check((int) d.handle("cuDeviceGetName").invokeExact(buf, 256, dev), "cuDeviceGetName", "dev=" + dev);
            return buf.getString(0, StandardCharsets.UTF_8);
        } catch (Throwable t) { throw Downcalls.rethrow(t); }
    }

    public long deviceTotalMem(int dev) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ValueLayout.JAVA_LONG);
            check((int) d.handle("cuDeviceTotalMem_v2").invokeExact(out, dev), "cuDeviceTotalMem_v2", "dev=" + dev);
            return out.get(ValueLayout.JAVA_LONG, 0);
        } catch (Throwable t) { throw Downcalls.rethrow(t); }
    }

    public int deviceAttribute(int attribute, int dev) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ValueLayout.JAVA_INT);
            check((int) d.handle("cuDeviceGetAttribute").invokeExact(out, attribute, dev), "cuDeviceGetAttribute",
                    "attribute=" + attribute + ", dev=" + dev);
            return out.get(ValueLayout.JAVA_INT, 0);
        } catch (Throwable t) { throw Downcalls.rethrow(t); }
    }

    // ---- contexts -----------------------------------------------------------------------------

    public MemorySegment primaryCtxRetain(int dev) { return handleOut("cuDevicePrimaryCtxRetain", dev); }

    public void primaryCtxRelease(int dev) {
        try { check((int) d.handle("cuDevicePrimaryCtxRelease_v2").invokeExact(dev), "cuDevicePrimaryCtxRelease_v2", "dev=" + dev); }
        catch (Throwable t) { throw Downcalls.rethrow(t); }
    }

    public void ctxSetCurrent(MemorySegment ctx) { call1("cuCtxSetCurrent", ctx, ""); }

    public void ctxSynchronize() {
        try { check((int) d.handle("cuCtxSynchronize").invokeExact(), "cuCtxSynchronize", ""); }
        catch (Throwable t) { throw Downcalls.rethrow(t); }
    }

    /** {free, total} bytes of the current context's device. */
    public long[] memGetInfo() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment free = a.allocate(ValueLayout.JAVA_LONG);
            MemorySegment total = a.allocate(ValueLayout.JAVA_LONG);
            check((int) d.handle("cuMemGetInfo_v2").invokeExact(free, total), "cuMemGetInfo_v2", "");
            return new long[] {free.get(ValueLayout.JAVA_LONG, 0), total.get(ValueLayout.JAVA_LONG, 0)};
        } catch (Throwable t) { throw Downcalls.rethrow(t); }
    }

    // ---- memory -------------------------------------------------------------------------------

    /** A device allocation of {@code bytes}; the result is a CUdeviceptr. */
    public long memAlloc(long bytes) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ValueLayout.JAVA_LONG);
            check((int) d.handle("cuMemAlloc_v2").invokeExact(out, bytes), "cuMemAlloc_v2", "bytes=" + bytes);
            return out.get(ValueLayout.JAVA_LONG, 0);
        } catch (Throwable t) { throw Downcalls.rethrow(t); }
    }

    public void memFree(long dptr) {
        try { check((int) d.handle("cuMemFree_v2").invokeExact(dptr), "cuMemFree_v2", "dptr=0x" + Long.toHexString(dptr)); }
        catch (Throwable t) { throw Downcalls.rethrow(t); }
    }

    public void memcpyHtoDAsync(long dst, MemorySegment src, long bytes, MemorySegment stream) {
        try {
            check((int) d.handle("cuMemcpyHtoDAsync_v2").invokeExact(dst, src, bytes, stream), "cuMemcpyHtoDAsync_v2",
                    "dst=0x" + Long.toHexString(dst) + ", bytes=" + bytes);
        } catch (Throwable t) { throw Downcalls.rethrow(t); }
    }

    public void memcpyDtoHAsync(MemorySegment dst, long src, long bytes, MemorySegment stream) {
        try {
            check((int) d.handle("cuMemcpyDtoHAsync_v2").invokeExact(dst, src, bytes, stream), "cuMemcpyDtoHAsync_v2",
                    "src=0x" + Long.toHexString(src) + ", bytes=" + bytes);
        } catch (Throwable t) { throw Downcalls.rethrow(t); }
    }

    /** Fills {@code count} 32-bit words at {@code dst} with {@code bits} (e.g. {@code Float.floatToRawIntBits(0f)}). */
    public void memsetD32Async(long dst, int bits, long count, MemorySegment stream) {
        try {
            check((int) d.handle("cuMemsetD32Async").invokeExact(dst, bits, count, stream), "cuMemsetD32Async",
                    "dst=0x" + Long.toHexString(dst) + ", words=" + count);
        } catch (Throwable t) { throw Downcalls.rethrow(t); }
    }

    /** Pinned host memory of {@code bytes}, as a segment of that size; free with {@link #memFreeHost}. */
    public MemorySegment memHostAlloc(long bytes, int flags) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ValueLayout.ADDRESS);
            check((int) d.handle("cuMemHostAlloc").invokeExact(out, bytes, flags), "cuMemHostAlloc", "bytes=" + bytes + ", flags=" + flags);
            return out.get(ValueLayout.ADDRESS, 0).reinterpret(bytes);
        } catch (Throwable t) { throw Downcalls.rethrow(t); }
    }

    public void memFreeHost(MemorySegment p) { call1("cuMemFreeHost", p, "bytes=" + p.byteSize()); }

    // ---- streams and events -------------------------------------------------------------------

    public MemorySegment streamCreate(int flags) { return handleOut("cuStreamCreate", flags); }
    public void streamSynchronize(MemorySegment stream) { call1("cuStreamSynchronize", stream, ""); }
    public void streamDestroy(MemorySegment stream) { call1("cuStreamDestroy_v2", stream, ""); }

    public MemorySegment eventCreate(int flags) { return handleOut("cuEventCreate", flags); }

    public void eventRecord(MemorySegment event, MemorySegment stream) { call2("cuEventRecord", event, stream); }
    public void eventSynchronize(MemorySegment event) { call1("cuEventSynchronize", event, ""); }
    public void eventDestroy(MemorySegment event) { call1("cuEventDestroy_v2", event, ""); }

    /**
     * Milliseconds between two recorded, completed events. {@code cuEventElapsedTime_v2} exists only
     * from driver 12.8 on; it is bound lazily and no command uses it (only the GPU smoke test), so the
     * commands and the GPU check run on a 12.0-12.7 driver too, which loads the lowered PTX (docs/05c-kernels.md §1).
     */
    public float eventElapsedTime(MemorySegment start, MemorySegment end) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ValueLayout.JAVA_FLOAT);
            check((int) d.handle("cuEventElapsedTime_v2").invokeExact(out, start, end), "cuEventElapsedTime_v2", "");
            return out.get(ValueLayout.JAVA_FLOAT, 0);
        } catch (Throwable t) { throw Downcalls.rethrow(t); }
    }

    // ---- modules and launches -----------------------------------------------------------------

    public static final int CU_JIT_INFO_LOG_BUFFER = 3;
    public static final int CU_JIT_INFO_LOG_BUFFER_SIZE_BYTES = 4;
    public static final int CU_JIT_ERROR_LOG_BUFFER = 5;
    public static final int CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES = 6;
    private static final int JIT_LOG_BYTES = 8192;

    /** {@link #moduleLoadData(byte[], String)} of an unnamed image. */
    public MemorySegment moduleLoadData(byte[] image) { return moduleLoadData(image, "image"); }

    /**
     * Loads a PTX (or cubin) image with {@code cuModuleLoadDataEx}; PTX text is NUL-terminated here and
     * the driver JITs it for the device. The JIT's error and info log buffers (CU_JIT_ERROR_LOG_BUFFER,
     * CU_JIT_INFO_LOG_BUFFER and their _SIZE_BYTES, which the driver overwrites with the bytes it wrote)
     * are passed, and a failure's error carries the module name and both logs (e.g. ptxas's
     * "Unsupported .version" line).
     */
    public MemorySegment moduleLoadData(byte[] image, String name) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment img = a.allocate(image.length + 1L);
            MemorySegment.copy(image, 0, img, ValueLayout.JAVA_BYTE, 0, image.length);
            MemorySegment out = a.allocate(ValueLayout.ADDRESS);
            MemorySegment errLog = a.allocate(JIT_LOG_BYTES), infoLog = a.allocate(JIT_LOG_BYTES);
            MemorySegment options = a.allocate(ValueLayout.JAVA_INT, 4);
            MemorySegment values = a.allocate(ValueLayout.ADDRESS, 4);
            int[] opts = {CU_JIT_ERROR_LOG_BUFFER, CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES, CU_JIT_INFO_LOG_BUFFER, CU_JIT_INFO_LOG_BUFFER_SIZE_BYTES};
            for (int i = 0; i < 4; i++) options.setAtIndex(ValueLayout.JAVA_INT, i, opts[i]);
            values.setAtIndex(ValueLayout.ADDRESS, 0, errLog);
            values.setAtIndex(ValueLayout.ADDRESS, 1, MemorySegment.ofAddress(JIT_LOG_BYTES));   // a size passed by value
            values.setAtIndex(ValueLayout.ADDRESS, 2, infoLog);
            values.setAtIndex(ValueLayout.ADDRESS, 3, MemorySegment.ofAddress(JIT_LOG_BYTES));
            int r = (int) d.handle("cuModuleLoadDataEx").invokeExact(out, img, 4, options, values);
            if (r != 0) {
                String err = jitLog(errLog, values.getAtIndex(ValueLayout.ADDRESS, 1).address());
                String info = jitLog(infoLog, values.getAtIndex(ValueLayout.ADDRESS, 3).address());
                check(r, "cuModuleLoadDataEx", "module=" + name + ", imageBytes=" + image.length
                        + (err.isEmpty() ? "" : "; JIT error log: " + err) + (info.isEmpty() ? "" : "; JIT info log: " + info));
            }
            return out.get(ValueLayout.ADDRESS, 0);
        } catch (Throwable t) { throw Downcalls.rethrow(t); }
    }

    /** A JIT log as one line: at most {@code filled} bytes (the driver's count, NUL included), up to the first NUL. */
    static String jitLog(MemorySegment buf, long filled) {
        long n = Math.min(Math.max(filled, 0), buf.byteSize());
        if (n == 0) return "";
        byte[] bytes = buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
        int len = 0;
        while (len < bytes.length && bytes[len] != 0) len++;
        return new String(bytes, 0, len, StandardCharsets.UTF_8).strip().replaceAll("\\s*\\R\\s*", " | ");
    }

    public MemorySegment moduleGetFunction(MemorySegment module, String name) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ValueLayout.ADDRESS);
            check((int) d.handle("cuModuleGetFunction").invokeExact(out, module, a.allocateFrom(name)), "cuModuleGetFunction", "name=" + name);
            return out.get(ValueLayout.ADDRESS, 0);
        } catch (Throwable t) { throw Downcalls.rethrow(t); }
    }

    public void moduleUnload(MemorySegment module) { call1("cuModuleUnload", module, ""); }

    /**
     * Launches {@code fn}; {@code kernelParams} is an array of pointers, one per kernel argument, each
     * pointing at the argument's value (the driver's {@code void **kernelParams}).
     */
    public void launchKernel(MemorySegment fn, int gridX, int gridY, int gridZ, int blockX, int blockY, int blockZ,
                             int sharedBytes, MemorySegment stream, MemorySegment kernelParams) {
        try {
            check((int) d.handle("cuLaunchKernel").invokeExact(fn, gridX, gridY, gridZ, blockX, blockY, blockZ, sharedBytes,
                            stream, kernelParams, MemorySegment.NULL), "cuLaunchKernel",
                    "grid=" + gridX + "x" + gridY + "x" + gridZ + ", block=" + blockX + "x" + blockY + "x" + blockZ + ", shared=" + sharedBytes);
        } catch (Throwable t) { throw Downcalls.rethrow(t); }
    }

    // ---- graphs -------------------------------------------------------------------------------

    public void streamBeginCapture(MemorySegment stream, int mode) {
        try { check((int) d.handle("cuStreamBeginCapture_v2").invokeExact(stream, mode), "cuStreamBeginCapture_v2", "mode=" + mode); }
        catch (Throwable t) { throw Downcalls.rethrow(t); }
    }

    /** Ends capture on {@code stream} and returns the captured CUgraph. */
    public MemorySegment streamEndCapture(MemorySegment stream) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ValueLayout.ADDRESS);
            check((int) d.handle("cuStreamEndCapture").invokeExact(stream, out), "cuStreamEndCapture", "");
            return out.get(ValueLayout.ADDRESS, 0);
        } catch (Throwable t) { throw Downcalls.rethrow(t); }
    }

    public MemorySegment graphInstantiate(MemorySegment graph, long flags) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ValueLayout.ADDRESS);
            check((int) d.handle("cuGraphInstantiateWithFlags").invokeExact(out, graph, flags), "cuGraphInstantiateWithFlags", "flags=" + flags);
            return out.get(ValueLayout.ADDRESS, 0);
        } catch (Throwable t) { throw Downcalls.rethrow(t); }
    }

    public void graphLaunch(MemorySegment exec, MemorySegment stream) { call2("cuGraphLaunch", exec, stream); }
    public void graphExecDestroy(MemorySegment exec) { call1("cuGraphExecDestroy", exec, ""); }
    public void graphDestroy(MemorySegment graph) { call1("cuGraphDestroy", graph, ""); }

    // ---- shapes of calls shared above ---------------------------------------------------------

    private MemorySegment handleOut(String fn, int arg) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ValueLayout.ADDRESS);
            check((int) d.handle(fn).invokeExact(out, arg), fn, "arg=" + arg);
            return out.get(ValueLayout.ADDRESS, 0);
        } catch (Throwable t) { throw Downcalls.rethrow(t); }
    }

    private void call1(String fn, MemorySegment h, String args) {
        try { check((int) d.handle(fn).invokeExact(h), fn, args); }
        catch (Throwable t) { throw Downcalls.rethrow(t); }
    }

    private void call2(String fn, MemorySegment a, MemorySegment b) {
        try { check((int) d.handle(fn).invokeExact(a, b), fn, ""); }
        catch (Throwable t) { throw Downcalls.rethrow(t); }
    }
}
