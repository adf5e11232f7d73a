package adl.nas;

import adl.autograd.Autograd;
import adl.autograd.Frozen;
import adl.backend.Backend;
import adl.backend.BinaryOp;
import adl.backend.Device;
import adl.backend.Tensors;
import adl.backend.UnaryOp;
import adl.memory.Scope;
import adl.nn.FrozenRunningStats;
import adl.optim.Adam;
import adl.optim.SGD;
import adl.tensor.Shape;
import adl.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The second-order architecture step (DARTS' unrolled bilevel gradient; derivation in
 * docs/03-bilevel.md §9). With ξ the virtual learning rate, A the iteration's weight batch and B
 * its architecture batch, and w the weights after the iteration's weight step:
 *
 * <pre>
 *   w'  = w − ξ (μ·buf + ∇_w L_A(w, α) + λ·w)                  virtual SGD step (momentum μ, weight decay λ)
 *   v   = ∇_{w'} L_B(w', α)
 *   ε   = r / ‖v‖,   w± = w ± ε v                               (r = 0.01, as DARTS)
 *   g   = ∇_α L_B(w', α) − ξ (∇_α L_A(w⁺, α) − ∇_α L_A(w⁻, α)) / (2ε)
 * </pre>
 *
 * for α and β alike; g then goes to the architecture's Adam. Four passes: (1) L_A(w) backward to
 * the weights, (2) L_B(w') backward to weights and α, β, (3, 4) L_A(w±) backward to α, β only.
 * Passes 1, 3 and 4 leave BN's running statistics alone ({@link FrozenRunningStats}); pass 2 updates
 * them once, as the first-order step's pass does. w is restored by copy, never by adding ±εv back.
 * With ξ = 0 the second term is skipped (ε would divide by zero) and pass 2 is the first-order
 * step's pass, so the result is the first-order gradient bit for bit.
 *
 * <p>Memory held at once beyond the first-order step: a copy of w and v (two weight-sized sets),
 * the weight gradient of pass 1 while the virtual step is taken (then freed), and the graph of one
 * pass at a time; α, β-sized gradients are negligible. Only Backend primitives are used (copy,
 * elementwise, sumTo, the SGD step kernel on a scratch momentum buffer), so the step runs on any
 * device; one host read (‖v‖) per step.
 */
public final class UnrolledArchitect {
    /** DARTS' finite-difference radius: ε = R / ‖v‖. */
    public static final double R = 0.01;

    private final SuperNet net;
    private final BilevelStep<Adam> architect;
    private final SGD weights;
    private final double r;

    /** {@code architect}: whose Adam steps α, β; {@code weights}: the weight optimiser (its momentum, decay and buffers define the virtual step). */
    public UnrolledArchitect(SuperNet net, BilevelStep<Adam> architect, SGD weights) { this(net, architect, weights, R); }

    /** As above with the finite-difference radius r (tests vary it to show the ε error is second order). */
    UnrolledArchitect(SuperNet net, BilevelStep<Adam> architect, SGD weights, double r) {
        if (!(r > 0)) throw new IllegalArgumentException("finite-difference radius must be > 0, got " + r);
        if (weights.nesterov()) throw new IllegalArgumentException("the unrolled step follows plain SGD momentum, not Nesterov");
        this.net = net;
        this.architect = architect;
        this.weights = weights;
        this.r = r;
    }

    /**
     * One second-order architecture step: {@link #gradient} into α.grad, β.grad, then Adam. Returns
     * L_B(w', α), the loss of the unrolled pass. A non-finite loss or ‖v‖ throws
     * {@link ArithmeticException} with w restored and α, β untouched.
     */
    public double step(Tensor xA, Tensor yA, Tensor xB, Tensor yB, double xi) {
        double loss = gradient(xA, yA, xB, yB, xi);
        architect.optimizer().step();
        architect.optimizer().zeroGrad();
        return loss;
    }

    /**
     * Leaves the second-order gradient in α.grad and β.grad (which must be empty) and w as it was;
     * returns L_B(w', α). xA, xB: [N, 3, H, W]; yA, yB: [N, H, W] (I32).
     */
    public double gradient(Tensor xA, Tensor yA, Tensor xB, Tensor yB, double xi) {
        if (!(xi >= 0) || Double.isInfinite(xi)) throw new IllegalArgumentException("unrolled learning rate ξ must be finite and >= 0, got " + xi);
        List<Tensor> arch = net.archParameters();
        for (Tensor a : arch) if (a.grad() != null) throw new IllegalStateException("α/β already hold a gradient before the unrolled step");
        List<String> names = new ArrayList<>(weights.params().keySet());
        List<Tensor> w = new ArrayList<>(weights.params().values());
        Tensor[] archGrad = new Tensor[arch.size()];
        boolean ok = false;
        try (Scope s = Scope.open()) {
            Tensor[] saved = new Tensor[w.size()];
            for (int i = 0; i < saved.length; i++) saved[i] = Tensors.contiguousCopy(w.get(i));
            try {
                virtualStep(names, w, xA, yA, xi);                                    // pass 1: w ← w'
                double loss;
                if (xi == 0) {
                    loss = archPass(xB, yB, false);                                   // pass 2 = the first-order pass
                    for (int k = 0; k < arch.size(); k++) archGrad[k] = takeOrZeros(arch.get(k));
                } else {
                    loss = unrolledPass(xB, yB);                                      // pass 2, to w' and α, β
                    for (int k = 0; k < arch.size(); k++) archGrad[k] = takeOrZeros(arch.get(k));
                    Tensor[] v = new Tensor[w.size()];
                    for (int i = 0; i < v.length; i++) v[i] = Scope.track(takeOrZeros(w.get(i)));
                    double norm = norm(v);
                    if (!Double.isFinite(norm)) throw new ArithmeticException("norm of the unrolled validation gradient is " + norm);
                    if (norm > 0) hessianTerm(w, saved, v, r / norm, xi, xA, yA, archGrad);
                }
                for (int k = 0; k < arch.size(); k++) {
                    arch.get(k).setGrad(archGrad[k]);
                    archGrad[k] = null;
                }
                ok = true;
                return loss;
            } finally {
                for (int i = 0; i < saved.length; i++) Device.backendOf(w.get(i)).copy(saved[i], w.get(i)); // restore w by copy
                weights.zeroGrad();
                if (!ok) architect.optimizer().zeroGrad();
            }
        } finally {
            for (Tensor g : archGrad) if (g != null) g.close();
        }
    }

    /** Pass 1 (BN statistics frozen, α, β frozen): w ← w − ξ (μ·buf + ∇_w L_A(w) + λ·w), the SGD kernel run on a scratch copy of buf. */
    private void virtualStep(List<String> names, List<Tensor> w, Tensor xA, Tensor yA, double xi) {
        try (Scope s = Scope.open(); Frozen a = Frozen.of(net.archParameters()); FrozenRunningStats f = FrozenRunningStats.freeze()) {
            Tensor loss = net.loss(xA, yA);
            double value = Tensors.item(loss);
            if (!Double.isFinite(value)) throw new ArithmeticException("virtual-step loss is " + value);
            Autograd.backward(loss, w);
            Map<String, Tensor> buffers = weights.momentumBuffers();
            double mu = weights.momentum();
            for (int i = 0; i < w.size(); i++) {
                Tensor p = w.get(i);
                Tensor g = p.grad() != null ? p.grad() : Tensors.zerosLike(p);
                Tensor buf = buffers.get(names.get(i));
                Tensor scratch = mu == 0 ? null : buf != null ? Tensors.contiguousCopy(buf) : Tensors.emptyLike(p);
                // scratch = μ·buf + g + λ·p (= g + λ·p when p has no buffer yet: DARTS' zero moment); p -= ξ·scratch
                Device.backendOf(p).sgdStep(p, g, scratch, xi, mu, weights.weightDecay(), false, mu != 0 && buf == null);
                if (scratch != null) scratch.close();
            }
            weights.zeroGrad();
        }
    }

    /** Pass 2 with ξ > 0 (BN statistics updated): L_B(w', α), backward to the weights and α, β. */
    private double unrolledPass(Tensor xB, Tensor yB) {
        try (Scope s = Scope.open()) {
            Tensor loss = net.loss(xB, yB);
            double value = Tensors.item(loss);
            if (!Double.isFinite(value)) throw new ArithmeticException("architecture loss is " + value);
            List<Tensor> all = new ArrayList<>(weights.params().values());
            all.addAll(net.archParameters());
            Autograd.backward(loss, all);
            return value;
        }
    }

    /** The architecture step's pass without its Adam step ({@link BilevelStep#gradient}); BN statistics frozen when {@code freezeStats}. */
    private double archPass(Tensor x, Tensor y, boolean freezeStats) {
        try (FrozenRunningStats f = freezeStats ? FrozenRunningStats.freeze() : null) {
            return architect.gradient(x, y, freezeStats ? "finite-difference" : "architecture");
        }
    }

    /**
     * Passes 3 and 4: archGrad −= ξ (∇_α L_A(w⁺) − ∇_α L_A(w⁻)) / (2ε), w± = saved ± ε v (the
     * central difference of ∇_α L_A along v, i.e. ∇²_{α,w} L_A · v to O(ε²)).
     */
    private void hessianTerm(List<Tensor> w, Tensor[] saved, Tensor[] v, double eps, double xi, Tensor xA, Tensor yA, Tensor[] archGrad) {
        List<Tensor> arch = net.archParameters();
        Tensor[][] g = new Tensor[2][arch.size()];
        for (int side = 0; side < 2; side++) {
            double sign = side == 0 ? 1 : -1;
            for (int i = 0; i < w.size(); i++) {
                Backend b = Device.backendOf(w.get(i));
                b.unary(UnaryOp.MUL_SCALAR, v[i], sign * eps, w.get(i));
                b.binary(BinaryOp.ADD, saved[i], w.get(i), w.get(i));
            }
            archPass(xA, yA, true);
            for (int k = 0; k < arch.size(); k++) g[side][k] = Scope.track(takeOrZeros(arch.get(k)));
        }
        for (int k = 0; k < arch.size(); k++) {
            Backend b = Device.backendOf(archGrad[k]);
            b.binary(BinaryOp.SUB, g[0][k], g[1][k], g[0][k]);
            b.unary(UnaryOp.MUL_SCALAR, g[0][k], xi / (2 * eps), g[0][k]);
            b.binary(BinaryOp.SUB, archGrad[k], g[0][k], archGrad[k]);
        }
    }

    /** ‖v‖ over every weight: Σ_i sum(v_i²) on the device, one host read. */
    private static double norm(Tensor[] v) {
        try (Scope s = Scope.open()) {
            Tensor acc = Tensors.zeros(Device.backendOf(v[0]).device(), v[0].dtype(), 1);
            for (Tensor t : v) {
                Backend b = Device.backendOf(t);
                Tensor sq = Tensors.emptyLike(t);
                b.binary(BinaryOp.MUL, t, t, sq);
                int[] ones = new int[t.rank()];
                java.util.Arrays.fill(ones, 1);
                Tensor sum = Tensors.emptyLike(t, Shape.of(ones));
                b.sumTo(sq, sum);
                b.binary(BinaryOp.ADD, acc, Tensors.view(sum, Shape.of(1), new long[] {1}, 0), acc);
                sq.close();
            }
            return Math.sqrt(Tensors.item(acc));
        }
    }

    /** The leaf's gradient (zeros when it has none), taken from it and owned by nobody: the caller closes it or hands it on. */
    private static Tensor takeOrZeros(Tensor leaf) {
        Tensor g = leaf.grad();
        if (g == null) return Scope.untracked(() -> Tensors.zerosLike(leaf));
        leaf.setGrad(null);
        return g;
    }
}
