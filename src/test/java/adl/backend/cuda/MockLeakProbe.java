package adl.backend.cuda;

import adl.backend.Device;
import adl.cli.BackendWiring;
import adl.data.SyntheticDataset;
import adl.memory.MemoryStats;
import adl.train.SearchConfig;
import adl.train.RunListener;
import adl.train.SearchLoop;
import adl.train.StopSignal;

import java.nio.file.Path;

/**
 * Not a test: the program {@code adl.it.LeakMockIT} runs in a subprocess on the mock GPU (device
 * state is per process). A short, small search on cuda:0 — 2 epochs of 4 iterations, architecture
 * steps from epoch 1, eager or {@code --cuda-graphs} — printing the caching allocator's bytes in use
 * after every iteration, after the search loop is closed, and after the backend is closed (the
 * primary context released, when the mock writes ADL_MOCK_GPU_REPORT). Lines: {@code <when>:
 * in_use=<bytes> cached=<bytes> live_storages=<n> graphs=<live CUDA graphs>}.
 *
 * <p>Usage: {@code java -cp target/adl-engine.jar:target/test-classes adl.backend.cuda.MockLeakProbe RUN_DIR [--cuda-graphs | --leak-one]};
 * {@code --leak-one} (the control that shows a leak is seen) skips the search and leaves one F32
 * tensor of 1000 elements unclosed.
 */
public final class MockLeakProbe {
    private MockLeakProbe() {}

    public static void main(String[] args) throws Exception {
        BackendWiring.install();
        Path run = Path.of(args[0]);
        String mode = args.length > 1 ? args[1] : "";
        CudaBackend backend = CudaDevices.backend(0);
        print("opened", backend);
        if (mode.equals("--leak-one")) {
            adl.tensor.Storage leaked = backend.allocate(adl.tensor.DType.F32, 1000);
            print("leaked " + leaked.bytes() + " bytes", backend);
            backend.close();
            print("backend closed", backend);
            return;
        }
        // L 1, B 1, F 2, crop 16, batch 2, 2 epochs (architecture from 1) of 4 iterations: with graphs, each of the
        // two graphs warms up for 2 iterations, is captured at the 3rd and replayed at the 4th
        SearchConfig cfg = new SearchConfig("synthetic", null, 1.0, "cuda", 1, 1, 2, 16, 2, 2, 1, 4, 0.025, 0.001, 0.9, 3e-4,
                3e-3, 1e-3, 0.9, 0.999, 8, 2, 0L, 2, 10.0, 3);
        RunListener listener = new RunListener() {
            @Override public void iteration(int epoch, long iteration, long total, double trainLoss, double archLoss, double lr) {
                print("iteration " + iteration, backend);
            }
        };
        try (SearchLoop loop = new SearchLoop(cfg, run, new SyntheticDataset("train", 8, 16, 16, 0L),
                new SyntheticDataset("val", 2, 16, 16, 0L), listener, new StopSignal(), new Device(Device.Kind.CUDA, 0), mode.equals("--cuda-graphs"))) {
            loop.run();
        }
        print("search closed", backend);
        backend.close();
        print("backend closed", backend);
    }

    private static void print(String when, CudaBackend b) {
        CachingAllocator a = b.allocator();
        synchronized (a) {
            System.out.println(when + ": in_use=" + a.inUse() + " cached=" + a.cachedBytes() + " live_storages=" + MemoryStats.liveStorages()
                    + " graphs=" + b.liveGraphs());
        }
        System.out.flush();
    }
}
