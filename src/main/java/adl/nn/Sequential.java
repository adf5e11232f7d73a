package adl.nn;

import adl.tensor.Tensor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** torch.nn.Sequential: applies its modules in order; they are named "0", "1", ... in the state dict. */
public final class Sequential extends Module {
    private final List<Module> layers = new ArrayList<>();

    public Sequential(Module... modules) {
        for (Module m : modules) add(m);
    }

    /** Appends a module under the next index. Returns this. */
    public Sequential add(Module m) {
        layers.add(registerModule(Integer.toString(layers.size()), m));
        return this;
    }

    public Module get(int i) { return layers.get(i); }

    public int size() { return layers.size(); }

    public List<Module> layers() { return Collections.unmodifiableList(layers); }

    @Override
    public Tensor forward(Tensor x) {
        Tensor y = x;
        for (Module m : layers) {
            Tensor next = m.forward(y);
            // an intermediate's handle is closed as soon as the next layer has used it: its memory
            // stays alive only where a backward rule saved it (Node.save), not until the scope closes
            if (y != x && y != next) y.close();
            y = next;
        }
        return y;
    }
}
