package adl.backend.cuda;

import adl.backend.Device;

/** A fixture for LayeringTest: this half of the cycle is allowed (backend.cuda builds on backend). */
public final class CudaDevices {
    static Object open() { return new Device(); }
}
