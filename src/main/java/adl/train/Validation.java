package adl.train;

import adl.autograd.GradMode;
import adl.autograd.LossOps;
import adl.backend.Device;
import adl.backend.Tensors;
import adl.data.Batch;
import adl.data.Dataset;
import adl.memory.Scope;
import adl.nn.Module;
import adl.tensor.Tensor;

/** The validation a training loop runs between steps: loss and mIoU of a network in eval mode, without gradients. */
public final class Validation {
    private Validation() {}

    /** Mean loss and the confusion matrix of one validation. */
    public record Scores(double loss, ConfusionMatrix confusion) {
        double[] lossAndMiou() { return new double[] {loss, confusion.meanIou()}; }
    }

    /**
     * {mean loss, mIoU} of {@code net} (forward: images [N, 3, H, W] → logits [N, K, H, W]) on the
     * first {@code images} samples of {@code val} (all of one size), in batches of {@code batch}.
     * The network is put back in training mode afterwards.
     */
    static double[] score(Module net, Dataset val, int images, int batch, Device device) {
        return run(net, val, images, batch, device).lossAndMiou();
    }

    /** As {@link #score}, with the whole confusion matrix (per-class IoU for the run report). */
    public static Scores run(Module net, Dataset val, int images, int batch, Device device) {
        int n = Math.min(images, val.size());
        ConfusionMatrix cm = new ConfusionMatrix(val.numClasses());
        double lossSum = 0;
        net.eval();
        try (GradMode.Guard off = GradMode.off()) {
            for (int start = 0; start < n; start += batch) {
                int[] idx = new int[Math.min(batch, n - start)];
                for (int k = 0; k < idx.length; k++) idx[k] = start + k;
                try (Scope s = Scope.open()) {
                    Batch b = Batch.of(val, idx, device, 0, 0, false);
                    Tensor logits = net.forward(b.images());
                    lossSum += idx.length * Tensors.item(LossOps.crossEntropy(logits, b.labels(), LossOps.IGNORE_LABEL));
                    cm.add(labels(b.labels()), Predictions.argmax(logits), LossOps.IGNORE_LABEL);
                }
            }
        } finally {
            net.train();
        }
        return new Scores(lossSum / n, cm);
    }

    static int[] labels(Tensor t) {
        double[] v = Tensors.toDoubles(t);
        int[] out = new int[v.length];
        for (int i = 0; i < v.length; i++) out[i] = (int) v[i];
        return out;
    }
}
