package adl.backend.cuda;

import java.lang.foreign.MemorySegment;

/**
 * Host ↔ device copies ordered on the backend's stream. {@code toDevice} returns once the host
 * segment may be reused (its bytes were taken); the copy itself may still be queued — work launched
 * after it on the stream sees the data. {@code toHost} returns when the bytes are in {@code dst}, so it
 * waits for all work queued before it: the one place the host synchronises with the stream.
 * {@link Pinned} is the driver one; tests pass host memory posing as device memory.
 */
public interface Transfers {
    void toDevice(long dst, MemorySegment src, long bytes);

    void toHost(MemorySegment dst, long src, long bytes);

    /**
     * Through one reusable pinned staging buffer ({@code cuMemHostAlloc}) on one stream.
     * Host→device: the bytes are copied into the next free region of the buffer and a
     * {@code cuMemcpyHtoDAsync} from that region is queued — no wait. A region is written by the host
     * only once between two stream synchronisations, so a queued copy never reads bytes overwritten
     * after it was queued: when the next copy does not fit in what is left, the stream is synchronised
     * (every queued copy has read its region) and the buffer is reused from its start; a copy larger
     * than the buffer grows it (after that same synchronisation, so the old buffer is idle when freed).
     * Device→host: {@code cuMemcpyDtoHAsync} into the buffer, synchronise, copy out; after that
     * synchronisation the whole buffer is free again.
     */
    final class Pinned implements Transfers, AutoCloseable {
        /** The driver calls staging needs (the backend's context and stream bound in); tests pass a fake. */
        public interface Driver {
            MemorySegment hostAlloc(long bytes);

            void hostFree(MemorySegment p);

            void copyToDeviceAsync(long dst, MemorySegment src, long bytes);

            void copyToHostAsync(MemorySegment dst, long src, long bytes);

            /** Waits until every copy and kernel queued on the stream has finished. */
            void synchronize();
        }

        /** Smallest staging buffer, and the alignment of each region in it (bytes). */
        static final long MIN_BYTES = 1L << 20, ALIGN = 256;

        private final Driver driver;
        private MemorySegment staging;
        private long used;   // bytes of staging handed to copies queued since the last synchronisation

        public Pinned(Driver driver) { this.driver = driver; }

        /** The real one: {@code cuMemHostAlloc} (portable), async copies on {@code stream}, {@code cuStreamSynchronize}. */
        public Pinned(CudaContext ctx, MemorySegment stream) {
            this(new Driver() {
                @Override public MemorySegment hostAlloc(long bytes) {
                    ctx.makeCurrent();
                    return ctx.driver().memHostAlloc(bytes, CudaDriver.CU_MEMHOSTALLOC_PORTABLE);
                }

                @Override public void hostFree(MemorySegment p) {
                    ctx.makeCurrent();
                    ctx.driver().memFreeHost(p);
                }

                @Override public void copyToDeviceAsync(long dst, MemorySegment src, long bytes) {
                    ctx.makeCurrent();
                    ctx.driver().memcpyHtoDAsync(dst, src, bytes, stream);
                }

                @Override public void copyToHostAsync(MemorySegment dst, long src, long bytes) {
                    ctx.makeCurrent();
                    ctx.driver().memcpyDtoHAsync(dst, src, bytes, stream);
                }

                @Override public void synchronize() {
                    ctx.makeCurrent();
                    ctx.driver().streamSynchronize(stream);
                }
            });
        }

        private static long aligned(long bytes) { return (bytes + ALIGN - 1) / ALIGN * ALIGN; }

        /** Synchronises the stream; afterwards no queued copy reads the staging buffer. */
        private void synchronize() {
            driver.synchronize();
            used = 0;
        }

        /** A staging buffer of at least {@code bytes}; only call right after {@link #synchronize()} or before any copy. */
        private void ensureCapacity(long bytes) {
            if (staging != null && staging.byteSize() >= bytes) return;
            long size = Math.max(MIN_BYTES, staging == null ? bytes : Math.max(bytes, 2 * staging.byteSize()));
            if (staging != null) driver.hostFree(staging);
            staging = null;
            staging = driver.hostAlloc(size);
        }

        @Override public synchronized void toDevice(long dst, MemorySegment src, long bytes) {
            if (bytes == 0) return;
            if (staging == null || used + bytes > staging.byteSize()) {
                if (used > 0) synchronize();
                ensureCapacity(bytes);
            }
            MemorySegment region = staging.asSlice(used, bytes);
            MemorySegment.copy(src, 0, region, 0, bytes);
            used = Math.min(staging.byteSize(), used + aligned(bytes));
            driver.copyToDeviceAsync(dst, region, bytes);
        }

        @Override public synchronized void toHost(MemorySegment dst, long src, long bytes) {
            if (bytes == 0) return;
            if (staging == null || staging.byteSize() < bytes) {
                if (used > 0) synchronize();
                ensureCapacity(bytes);
            }
            // The device writes this region in stream order, after every copy queued before it has read
            // its own region; the host touches it only after the synchronisation.
            MemorySegment region = staging.asSlice(0, bytes);
            driver.copyToHostAsync(region, src, bytes);
            synchronize();
            MemorySegment.copy(region, 0, dst, 0, bytes);
        }

        /** Capacity of the staging buffer (0 before the first copy). */
        synchronized long capacity() { return staging == null ? 0 : staging.byteSize(); }

        @Override public synchronized void close() {
            if (staging != null) {
                synchronize();
                driver.hostFree(staging);
                staging = null;
            }
        }
    }
}
