package adl.backend.cuda;

import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Lazily created downcall handles for one library's binding table. Nothing touches native code until
 * {@link #handle} is first asked for a name, so the owning classes load on machines without a GPU.
 */
final class Downcalls {
    private final String library;
    private final SymbolLookup lookup;
    private final Map<String, Binding> byName = new HashMap<>();
    private final Map<String, MethodHandle> handles = new ConcurrentHashMap<>();

    Downcalls(String library, SymbolLookup lookup, List<Binding> table) {
        this.library = library;
        this.lookup = lookup;
        for (Binding b : table) {
            if (byName.put(b.name(), b) != null) throw new IllegalStateException(library + ": " + b.name() + " bound twice");
        }
    }

    /** The handle for {@code name}; the symbol must be in the table and exported by the library. */
    MethodHandle handle(String name) {
        MethodHandle h = handles.get(name);
        if (h != null) return h;
        Binding b = byName.get(name);
        if (b == null) throw new IllegalArgumentException(library + ": " + name + " is not in the binding table");
        var addr = lookup.find(name).orElseThrow(() -> new CudaUnavailableException(
                library + " does not export " + name + " (the installed version is too old or not the expected library)"));
        h = Linker.nativeLinker().downcallHandle(addr, b.descriptor());
        handles.put(name, h);
        return h;
    }

    /** Whether the library exports {@code name} (for optional functions). */
    boolean has(String name) {
        return lookup.find(name).isPresent();
    }

    String library() { return library; }

    /** Rethrows what a downcall's invokeExact threw, unchecked. */
    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }
}
