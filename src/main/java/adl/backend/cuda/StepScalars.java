package adl.backend.cuda;

import adl.backend.CapturedGraph;
import adl.backend.GraphCaptureException;
import adl.tensor.Tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The per-iteration scalars the optimizer kernels read from device memory (docs/05d-cuda-graphs.md §1: what a graph
 * replay reads lives on the device): slots of 16 bytes, {@code {double lr; int64 step}}, as
 * {@code sgd_f32} / {@code adam_f32} take them (native-kernels/optim.cu).
 * <ul>
 *   <li>slot 0: SGD at a parameter's first step {lr, 1}; slot 1: SGD at later steps {lr, 2} — every
 *       SGD parameter of an iteration shares one learning rate;</li>
 *   <li>one slot per Adam parameter (keyed by its device pointer): {lr, that parameter's step}.</li>
 * </ul>
 * Values are kept on the host and uploaded by {@link #flush()} — one copy of the changed range. Eager
 * optimizer calls set and flush before their launch (so the upload is queued before the kernel); during
 * a capture they only set, and {@link CudaGraph#launch()} flushes before each replay. A replay's values
 * are set by whoever replays ({@link #setSgdLr}, {@link #setAdam}), since the Java optimizer does not run.
 *
 * <p>The device buffer is one allocator block, made at the first optimizer call (eagerly, before any
 * capture) and grown only while no graph holds its address.
 */
public final class StepScalars implements CapturedGraph.Scalars {
    static final int SLOT_BYTES = 16, SGD_FIRST = 0, SGD_LATER = 1;
    private static final int FIRST_CAPACITY = 64;

    private final CudaBackend b;
    private final Map<Long, Integer> adamSlots = new HashMap<>();
    private long buffer;
    private int capacity, used = 2;
    private double[] lr = new double[FIRST_CAPACITY];
    private long[] step = new long[FIRST_CAPACITY];
    private boolean[] dirty = new boolean[FIRST_CAPACITY], uploaded = new boolean[FIRST_CAPACITY];

    StepScalars(CudaBackend backend) { this.b = backend; }

    /** The device address of the SGD pair for a first / later step, holding {@code lr} once flushed. */
    synchronized long sgd(boolean first, double lr) {
        ensureBuffer("an SGD step");
        int slot = first ? SGD_FIRST : SGD_LATER;
        set(slot, lr, first ? 1 : 2);
        return address(slot);
    }

    /** The device address of {@code param}'s Adam pair, holding {lr, step} once flushed. */
    synchronized long adam(long param, double lr, long step) {
        ensureBuffer("an Adam step");
        Integer slot = adamSlots.get(param);
        if (slot == null) {
            if (used == capacity) grow();
            slot = used++;
            adamSlots.put(param, slot);
        }
        set(slot, lr, step);
        return address(slot);
    }

    /** Before a replay: the learning rate every captured SGD update reads. */
    @Override public synchronized void setSgdLr(double lr) {
        set(SGD_FIRST, lr, 1);
        set(SGD_LATER, lr, 2);
    }

    @Override public void setAdam(Tensor param, double lr, long step) { setAdam(CudaStorage.ptr(param), lr, step); }

    /** Before a replay: {@code param}'s Adam learning rate and step; it must have stepped eagerly before. */
    public synchronized void setAdam(long param, double lr, long step) {
        Integer slot = adamSlots.get(param);
        if (slot == null) throw new IllegalStateException("no Adam step scalars for the parameter at 0x" + Long.toHexString(param) + " (it never stepped)");
        set(slot, lr, step);
    }

    /** Queues one host→device copy of the slots changed since the last flush (none: no copy). */
    public synchronized void flush() {
        int lo = -1, hi = -1;
        for (int i = 0; i < used; i++) {
            if (dirty[i]) {
                if (lo < 0) lo = i;
                hi = i;
            }
        }
        if (lo < 0) return;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment h = a.allocate((long) (hi - lo + 1) * SLOT_BYTES, 8);
            for (int i = lo; i <= hi; i++) {
                h.set(ValueLayout.JAVA_DOUBLE, (long) (i - lo) * SLOT_BYTES, lr[i]);
                h.set(ValueLayout.JAVA_LONG, (long) (i - lo) * SLOT_BYTES + 8, step[i]);
            }
            b.toDevice(address(lo), h, h.byteSize(), "optimizer step scalars");
        }
        for (int i = lo; i <= hi; i++) {
            dirty[i] = false;
            uploaded[i] = true;
        }
    }

    /** The value slot {@code slot} holds on the host: {lr, step}. */
    synchronized double[] value(int slot) { return new double[] {lr[slot], step[slot]}; }

    synchronized long address(int slot) { return buffer + (long) slot * SLOT_BYTES; }

    private void set(int slot, double v, long s) {
        if (!uploaded[slot] || Double.doubleToRawLongBits(lr[slot]) != Double.doubleToRawLongBits(v) || step[slot] != s) {
            lr[slot] = v;
            step[slot] = s;
            dirty[slot] = true;
        }
    }

    private void ensureBuffer(String what) {
        if (buffer != 0) return;
        if (b.capturing()) {
            throw new GraphCaptureException(what + " is the first optimizer call of this device and came during the capture of '"
                    + b.captureName() + "'; its step scalars must exist before (run an eager warm-up iteration)");
        }
        buffer = allocate(FIRST_CAPACITY);
        capacity = FIRST_CAPACITY;
    }

    private long allocate(int slots) {
        CachingAllocator a = b.allocator();
        synchronized (a) { return a.allocate((long) slots * SLOT_BYTES); }
    }

    /** Doubles the buffer; every slot is uploaded again at the next flush. */
    private void grow() {
        if (b.capturing() || b.liveGraphs() > 0) {
            throw new GraphCaptureException("more than " + capacity + " optimizer step-scalar slots while a CUDA graph holds their address"
                    + (b.capturing() ? " (during the capture of '" + b.captureName() + "')" : ""));
        }
        long old = buffer;
        buffer = allocate(2 * capacity);
        CachingAllocator a = b.allocator();
        synchronized (a) { a.free(old); }   // stream order: kernels queued before read the old block first
        capacity *= 2;
        lr = Arrays.copyOf(lr, capacity);
        step = Arrays.copyOf(step, capacity);
        dirty = new boolean[capacity];
        uploaded = new boolean[capacity];
        Arrays.fill(dirty, 0, used, true);
    }

    /** Returns the buffer to the allocator (backend close). */
    synchronized void release() {
        if (buffer == 0) return;
        CachingAllocator a = b.allocator();
        synchronized (a) { a.free(buffer); }
        buffer = 0;
    }
}
