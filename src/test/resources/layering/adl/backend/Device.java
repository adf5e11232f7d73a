package adl.backend;

import adl.backend.cuda.CudaDevices;

/** A fixture for LayeringTest (not compiled). Links such as {@link adl.backend.cuda.CudaDevices} are documentation, not code. */
public final class Device {
    String name = "adl.cli.Main is a string, not a reference";

    Object open() { return CudaDevices.open(); }
}
