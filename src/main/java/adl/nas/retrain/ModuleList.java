package adl.nas.retrain;

import adl.nn.Module;
import adl.tensor.Tensor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * torch.nn.ModuleList: children named "0", "1", ... in the state dict, no forward of its own
 * (the cells and the cell ops take more than one input or a stride).
 */
final class ModuleList<M extends Module> extends Module {
    private final List<M> items = new ArrayList<>();

    M add(M m) {
        items.add(registerModule(Integer.toString(items.size()), m));
        return m;
    }

    M get(int i) { return items.get(i); }

    int size() { return items.size(); }

    List<M> items() { return Collections.unmodifiableList(items); }

    @Override public Tensor forward(Tensor x) {
        throw new UnsupportedOperationException("a ModuleList has no forward; call its items");
    }
}
