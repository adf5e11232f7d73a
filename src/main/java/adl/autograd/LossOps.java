package adl.autograd;

import adl.backend.Tensors;
import adl.tensor.DType;
import adl.tensor.Shape;
import adl.tensor.Tensor;

/** Differentiable losses. */
public final class LossOps {
    /** The label of pixels that take no part in the loss (void / unlabelled in Cityscapes, VOC, ADE20K). */
    public static final int IGNORE_LABEL = 255;

    private LossOps() {}

    /**
     * Mean pixel cross-entropy, PyTorch {@code F.cross_entropy(logits, labels,
     * ignore_index=ignoreIndex, reduction='mean')}, except that 0 is returned when every pixel is
     * ignored. logits: [N, C, H, W] F32/F64; labels: I32 [N, H, W] with values in [0, C) or
     * ignoreIndex (never differentiated). Returns shape [1]. A label outside [0, C) that is not
     * ignoreIndex throws IllegalArgumentException naming the value and its position.
     * Backward: gx = g · (softmax(logits) - onehot(labels)) / count, 0 at ignored pixels.
     */
    public static Tensor crossEntropy(Tensor logits, Tensor labels, int ignoreIndex) {
        if (labels.dtype() != DType.I32) {
            throw new IllegalArgumentException("crossEntropy: labels " + labels.describe() + " must be I32");
        }
        if (labels.requiresGrad()) {
            throw new IllegalArgumentException("crossEntropy: labels " + labels.describe() + " cannot require grad");
        }
        Tensor cx = logits.isContiguous() ? logits : Tensors.contiguousCopy(logits);
        Tensor cl = labels.isContiguous() ? labels : Tensors.contiguousCopy(labels);
        Tensor loss = Tensors.emptyLike(logits, Shape.of(1));
        ElementwiseOps.be(logits).crossEntropy(cx, cl, ignoreIndex, loss);
        if (!Node.wanted(logits)) {
            if (cx != logits) cx.close();
            if (cl != labels) cl.close();
            return loss;
        }
        return new Node("cross_entropy", logits) {
            final Tensor sx = save(cx);
            final Tensor sl = save(cl);

            @Override public Tensor[] backward(Tensor g, boolean[] needs) {
                Tensor gx = Tensors.emptyLike(sx);
                backend().crossEntropyBackward(sx, sl, ignoreIndex, g, gx);
                return new Tensor[] {gx};
            }
        }.attach(loss);
    }
}
