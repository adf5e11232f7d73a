package adl.backend.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.util.HashMap;
import java.util.Map;

/**
 * The driver-backed {@link CudaKernels.Launcher} of one context: loads each kernels-ptx module from
 * the classpath ({@code /kernels-ptx/<file>.ptx}) with {@code cuModuleLoadDataEx} the first time one
 * of its entry points is launched, caches the CUfunction handles by entry name, and launches on a
 * 1-D grid with no dynamic shared memory. {@link #close()} unloads the modules.
 */
public final class CudaModules implements CudaKernels.Launcher, AutoCloseable {
    private final CudaContext ctx;
    private final Map<String, MemorySegment> modules = new HashMap<>();
    private final Map<String, MemorySegment> functions = new HashMap<>();

    public CudaModules(CudaContext ctx) { this.ctx = ctx; }

    /** The PTX text of kernels-ptx/&lt;file&gt;.ptx from the classpath. */
    public static byte[] ptx(String file) {
        String path = "/kernels-ptx/" + file + ".ptx";
        try (InputStream in = CudaModules.class.getResourceAsStream(path)) {
            if (in == null) throw new IllegalStateException("kernel PTX " + path + " is not on the classpath (is kernels-ptx packed?)");
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + path, e);
        }
    }

    /** The CUfunction of {@code entry}, loading its module on first use. */
    public synchronized MemorySegment function(String entry) {
        MemorySegment fn = functions.get(entry);
        if (fn != null) return fn;
        String file = CudaKernels.ENTRY_FILE.get(entry);
        if (file == null) throw new IllegalArgumentException("unknown kernel entry point " + entry);
        ctx.makeCurrent();
        MemorySegment module = modules.get(file);
        if (module == null) {
            module = ctx.driver().moduleLoadData(ptx(file), file + ".ptx");
            modules.put(file, module);
        }
        fn = ctx.driver().moduleGetFunction(module, entry);
        functions.put(entry, fn);
        return fn;
    }

    @Override public void launch(String entry, int gridX, int blockX, KernelArgs args, long stream) {
        MemorySegment fn = function(entry);
        ctx.makeCurrent();
        ctx.driver().launchKernel(fn, gridX, 1, 1, blockX, 1, 1, 0, MemorySegment.ofAddress(stream), args.pointers());
    }

    @Override public synchronized void close() {
        ctx.makeCurrent();
        for (MemorySegment m : modules.values()) ctx.driver().moduleUnload(m);
        modules.clear();
        functions.clear();
    }
}
