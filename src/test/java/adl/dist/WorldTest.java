package adl.dist;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WorldTest {
    @Test void noLauncherIsOneProcess() {
        World w = World.from(Map.of("PATH", "/bin"));
        assertEquals(World.single(), w);
        assertFalse(w.parallel());
        assertEquals(8, w.defaultThreads(8));
    }

    @Test void openMpiVariables() {
        World w = World.from(Map.of("OMPI_COMM_WORLD_RANK", "3", "OMPI_COMM_WORLD_SIZE", "4",
                "OMPI_COMM_WORLD_LOCAL_RANK", "1", "OMPI_COMM_WORLD_LOCAL_SIZE", "2"));
        assertEquals(new World(3, 4, 1, 2, "Open MPI"), w);
        assertTrue(w.parallel());
        assertEquals(8, w.defaultThreads(16), "cores shared by the ranks of the node");
        assertEquals(1, w.defaultThreads(1));
    }

    @Test void slurmVariables() {
        World w = World.from(Map.of("SLURM_PROCID", "5", "SLURM_NTASKS", "8", "SLURM_LOCALID", "1", "SLURM_TASKS_PER_NODE", "4(x2)"));
        assertEquals(new World(5, 8, 1, 4, "SLURM"), w);
    }

    @Test void badValuesNameTheVariable() {
        var e = assertThrows(IllegalArgumentException.class, () -> World.from(Map.of("OMPI_COMM_WORLD_RANK", "x", "OMPI_COMM_WORLD_SIZE", "2")));
        assertEquals("environment variable OMPI_COMM_WORLD_RANK=x is not a whole number", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> World.from(Map.of("OMPI_COMM_WORLD_RANK", "2", "OMPI_COMM_WORLD_SIZE", "2")));
    }

    @Test void singleProcessCollectivesAreTheIdentity() {
        Collectives c = Distributed.open(World.single());
        assertEquals(0, c.rank());
        assertEquals(1, c.size());
        double[] v = {1.5, -2};
        assertEquals(java.util.Arrays.toString(v), java.util.Arrays.toString(c.allReduceSum(v)));
        assertTrue(c.anyTrue(true));
        assertFalse(c.anyTrue(false));
        var t = adl.backend.Tensors.of(adl.backend.Device.CPU, adl.tensor.DType.F32, adl.tensor.Shape.of(2), 0.1, 0.2);
        c.allReduceSum(java.util.List.of(t));
        assertEquals(java.util.List.of((double) 0.1f, (double) 0.2f), java.util.Arrays.stream(adl.backend.Tensors.toDoubles(t)).boxed().toList());
        assertThrows(IllegalArgumentException.class, () -> c.broadcast(java.util.List.of(t), 1));
    }
}
