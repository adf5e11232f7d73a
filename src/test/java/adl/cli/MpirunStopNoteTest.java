package adl.cli;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The note of a multi-process job about Ctrl-C on mpirun (docs/08-data-parallel.md §7). */
class MpirunStopNoteTest {
    @Test void openMpiWithTheDefaultTimeoutGetsTheNote() {
        assertEquals("note: Ctrl-C on mpirun kills the ranks 2 s later (odls_base_sigkill_timeout 1), likely before a checkpoint; "
                        + "run mpirun with --mca odls_base_sigkill_timeout 30 to stop all ranks at the same iteration with a checkpoint",
                Job.mpirunStopNote(Map.of("OMPI_COMM_WORLD_SIZE", "2")));
        assertEquals("note: Ctrl-C on mpirun kills the ranks 20 s later (odls_base_sigkill_timeout 10), likely before a checkpoint; "
                        + "run mpirun with --mca odls_base_sigkill_timeout 30 to stop all ranks at the same iteration with a checkpoint",
                Job.mpirunStopNote(Map.of("OMPI_COMM_WORLD_SIZE", "2", "OMPI_MCA_odls_base_sigkill_timeout", "10")));
    }

    @Test void enoughTimeOrAnotherLauncherGetsNone() {
        assertNull(Job.mpirunStopNote(Map.of("OMPI_COMM_WORLD_SIZE", "2", "OMPI_MCA_odls_base_sigkill_timeout", "30")));
        assertNull(Job.mpirunStopNote(Map.of("SLURM_NTASKS", "2", "SLURM_PROCID", "0")));
        assertNull(Job.mpirunStopNote(Map.of()));
    }
}
