package adl.backend.cuda;

import java.lang.foreign.MemorySegment;

/**
 * Host ↔ device copies ordered on the backend's stream. Both calls return only when the copy is
 * complete (so the host segment may be reused at once); {@code toHost} also waits for all work queued
 * before it. {@link Pinned} is the driver one; tests pass host memory posing as device memory.
 */
public interface Transfers {
    void toDevice(long dst, MemorySegment src, long bytes);

    void toHost(MemorySegment dst, long src, long bytes);

    /** Through one grow-only pinned staging buffer ({@code cuMemHostAlloc}) on one stream. */
    final class Pinned implements Transfers, AutoCloseable {
        private final CudaContext ctx;
        private final MemorySegment stream;
        private MemorySegment staging;

        public Pinned(CudaContext ctx, MemorySegment stream) {
            this.ctx = ctx;
            this.stream = stream;
        }

        private MemorySegment staging(long bytes) {
            if (staging == null || staging.byteSize() < bytes) {
                if (staging != null) ctx.driver().memFreeHost(staging);
                staging = null;
                staging = ctx.driver().memHostAlloc(Math.max(bytes, 1L << 20), CudaDriver.CU_MEMHOSTALLOC_PORTABLE);
            }
            return staging;
        }

        @Override public synchronized void toDevice(long dst, MemorySegment src, long bytes) {
            if (bytes == 0) return;
            ctx.makeCurrent();
            MemorySegment st = staging(bytes);
            MemorySegment.copy(src, 0, st, 0, bytes);
            ctx.driver().memcpyHtoDAsync(dst, st, bytes, stream);
            ctx.driver().streamSynchronize(stream);
        }

        @Override public synchronized void toHost(MemorySegment dst, long src, long bytes) {
            if (bytes == 0) return;
            ctx.makeCurrent();
            MemorySegment st = staging(bytes);
            ctx.driver().memcpyDtoHAsync(st, src, bytes, stream);
            ctx.driver().streamSynchronize(stream);
            MemorySegment.copy(st, 0, dst, 0, bytes);
        }

        @Override public synchronized void close() {
            if (staging != null) {
                ctx.makeCurrent();
                ctx.driver().memFreeHost(staging);
                staging = null;
            }
        }
    }
}
