package adl.nas.retrain;

import adl.backend.Device;
import adl.backend.Tensors;
import adl.memory.Scope;
import adl.tensor.DType;
import adl.tensor.Shape;
import adl.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * A data-parallel rank holding samples [2, 4) of a global batch of 4 gets the dropout and drop-path
 * masks one process gives those samples (docs/08-data-parallel.md §2).
 */
class DropScheduleShardTest {
    static double[] apply(DropSchedule d, Tensor x, boolean path) {
        return Tensors.toDoubles(path ? d.dropPath(x, 0.5, 3) : d.dropout(x, 0.7, 5));
    }

    @Test void aShardGetsItsSamplesMasksOfTheGlobalBatch() {
        try (Scope s = Scope.open()) {
            Tensor whole = Tensors.full(Device.CPU, DType.F32, Shape.of(4, 3, 2, 2), 1);
            Tensor half = Tensors.full(Device.CPU, DType.F32, Shape.of(2, 3, 2, 2), 1);
            for (boolean path : new boolean[] {false, true}) {
                DropSchedule one = new DropSchedule(), rank1 = new DropSchedule(), unsharded = new DropSchedule();
                one.set(9, 17, 1);
                rank1.set(9, 17, 1);
                unsharded.set(9, 17, 1);
                rank1.shard(2, 4);
                double[] all = apply(one, whole, path), mine = apply(rank1, half, path);
                assertArrayEquals(Arrays.copyOfRange(all, all.length / 2, all.length), mine, 0.0, path ? "drop-path" : "dropout");
                assertFalse(Arrays.equals(mine, apply(unsharded, half, path)), "without the shard the rank would draw samples 0 and 1's masks");
            }
        }
    }
}
