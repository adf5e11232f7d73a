package adl.backend;

import adl.tensor.Storage;

import java.util.Locale;

/**
 * The backends this process dispatches to, one {@link Provider} per {@link Device.Kind}
 * (docs/01-tensors-and-autograd.md §7). {@code adl.backend} knows only the {@link Backend}
 * interface: the implementations in its sub-packages ({@code adl.backend.cpu}, {@code adl.backend.cuda})
 * are registered here by the program's entry point ({@code adl.cli.BackendWiring}), so the
 * package points only down to the tensor and memory layers. A plain table, filled once at start-up.
 */
public final class Backends {
    private Backends() {}

    /** What a backend implementation registers for its kind of device. */
    public interface Provider {
        /**
         * The backend of device {@code ordinal}, opened on the first call and kept.
         *
         * @throws RuntimeException with the one-line reason when the device is not usable
         */
        Backend backend(int ordinal);

        /** Null when device {@code ordinal} can run work (opening it), else the one-line reason it cannot. */
        String unusableReason(int ordinal);

        /** The ordinal of the device whose memory {@code s} is, or -1 when {@code s} is not this backend's memory. */
        int ordinalOf(Storage s);
    }

    /** Indexed by {@link Device.Kind#ordinal()}; replaced (never mutated) on registration, read on every dispatch. */
    private static volatile Provider[] providers = new Provider[Device.Kind.values().length];

    /** Makes {@code provider} the backend of every {@code kind} device (replacing an earlier one). */
    public static synchronized void register(Device.Kind kind, Provider provider) {
        Provider[] next = providers.clone();
        next[kind.ordinal()] = provider;
        providers = next;
    }

    /** Whether a backend is registered for {@code kind}. */
    public static boolean registered(Device.Kind kind) { return providers[kind.ordinal()] != null; }

    /** The registered backend of {@code device}, without a profiler {@link Device#profileCpu} may have put around the CPU's. */
    public static Backend backend(Device device) { return provider(device.kind()).backend(device.index()); }

    /** @throws IllegalStateException when no backend of {@code kind} was registered */
    static Provider provider(Device.Kind kind) {
        Provider p = providers[kind.ordinal()];
        if (p == null) {
            throw new IllegalStateException("no " + kind.name().toLowerCase(Locale.ROOT)
                    + " backend is registered (the program's entry point wires the backends in: adl.cli.BackendWiring.install())");
        }
        return p;
    }

    /** The table, for the dispatch by storage in {@link Device}. */
    static Provider[] providers() { return providers; }
}
