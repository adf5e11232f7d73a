package adl.dist;

import adl.backend.Device;
import adl.tensor.DType;
import adl.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * Collectives over host buffers: tensors are read to the host, packed per dtype into buckets of at
 * most {@link #BUCKET} elements, exchanged with an all-gather, and summed in rank order in double
 * (Σ_r in the order r = 0, 1, …, N−1, then one rounding to the dtype), so every rank computes the same
 * bits from the same gathered buffer. Subclasses move the bytes.
 */
public abstract class HostCollectives implements Collectives {
    /** Elements per bucket: one all-gather moves at most N·BUCKET values. */
    static final int BUCKET = 1 << 22;

    /** Every rank's {@code local} (all of one length), concatenated in rank order: [size · local.length]. */
    protected abstract float[] allGather(float[] local);

    /** As {@link #allGather(float[])} for doubles. */
    protected abstract double[] allGather(double[] local);

    /** In place: every rank's {@code values} become rank {@code root}'s. */
    protected abstract void broadcast(double[] values, int root);

    @Override
    public void allReduceSum(List<Tensor> tensors) {
        if (size() == 1) return;
        for (DType dt : new DType[] {DType.F32, DType.F64}) {
            List<Tensor> bucket = new ArrayList<>();
            long elements = 0;
            for (Tensor t : tensors) {
                if (t.dtype() != DType.F32 && t.dtype() != DType.F64) {
                    throw new IllegalArgumentException("allReduceSum: " + t.describe() + " is not F32 or F64");
                }
                if (t.dtype() != dt) continue;
                if (!bucket.isEmpty() && elements + t.numel() > BUCKET) {
                    reduceBucket(bucket, dt);
                    bucket.clear();
                    elements = 0;
                }
                bucket.add(t);
                elements += t.numel();
            }
            if (!bucket.isEmpty()) reduceBucket(bucket, dt);
        }
    }

    /** One bucket (a tensor larger than BUCKET goes alone, in slices). */
    private void reduceBucket(List<Tensor> bucket, DType dt) {
        long total = 0;
        for (Tensor t : bucket) total += t.numel();
        double[] packed = new double[Math.toIntExact(total)];
        int at = 0;
        for (Tensor t : bucket) {
            double[] v = Device.backendOf(t).read(t);
            System.arraycopy(v, 0, packed, at, v.length);
            at += v.length;
        }
        double[] summed = new double[packed.length];
        for (int from = 0; from < packed.length; from += BUCKET) {
            int n = Math.min(BUCKET, packed.length - from);
            double[] part = dt == DType.F32 ? sumF32(packed, from, n) : sumF64(packed, from, n);
            System.arraycopy(part, 0, summed, from, n);
        }
        at = 0;
        for (Tensor t : bucket) {
            int n = Math.toIntExact(t.numel());
            double[] v = new double[n];
            System.arraycopy(summed, at, v, 0, n);
            Device.backendOf(t).write(t, v);
            at += n;
        }
    }

    private double[] sumF32(double[] packed, int from, int n) {
        float[] local = new float[n];
        for (int i = 0; i < n; i++) local[i] = (float) packed[from + i];
        float[] all = allGather(local);
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int r = 0; r < size(); r++) s += all[r * n + i];
            out[i] = (float) s;
        }
        return out;
    }

    private double[] sumF64(double[] packed, int from, int n) {
        double[] all = allGather(java.util.Arrays.copyOfRange(packed, from, from + n));
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int r = 0; r < size(); r++) s += all[r * n + i];
            out[i] = s;
        }
        return out;
    }

    @Override
    public double[] allReduceSum(double[] values) {
        if (size() == 1) return values.clone();
        return sumF64(values, 0, values.length);
    }

    @Override
    public void broadcast(List<Tensor> tensors, int root) {
        if (root < 0 || root >= size()) throw new IllegalArgumentException("broadcast from rank " + root + " in a job of " + size());
        if (size() == 1) return;
        for (Tensor t : tensors) {
            double[] v = Device.backendOf(t).read(t);
            broadcast(v, root);
            Device.backendOf(t).write(t, v);
        }
    }

    @Override
    public String broadcast(String text, int root) {
        if (size() == 1) return text;
        double[] length = {rank() == root ? text.length() : 0};
        broadcast(length, root);
        double[] chars = new double[(int) length[0]];
        if (rank() == root) for (int i = 0; i < chars.length; i++) chars[i] = text.charAt(i);
        broadcast(chars, root);
        StringBuilder b = new StringBuilder(chars.length);
        for (double c : chars) b.append((char) c);
        return b.toString();
    }

    @Override
    public boolean anyTrue(boolean flag) {
        if (size() == 1) return flag;
        return allReduceSum(new double[] {flag ? 1 : 0})[0] > 0;
    }
}
