package adl.optim;

import adl.testing.Close;
import adl.testing.Golden;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Schedules against the learning rates torch's CosineAnnealingLR / LambdaLR produced (scripts/golden/optim.py). */
class LrScheduleTest {
    private static final Golden G = Golden.load("optim");
    private static final JsonNode M = G.meta();
    private static final int T = M.get("T").asInt();

    private static double[] sequence(LrSchedule s) {
        double[] v = new double[T + 1];
        for (int t = 0; t <= T; t++) v[t] = s.lr(t);
        return v;
    }

    @Test void cosineMatchesCosineAnnealingLR() {
        LrSchedule s = new CosineSchedule(M.get("lr_max").asDouble(), M.get("lr_min").asDouble(), T);
        Close.assertClose("cosine", sequence(s), G.data("cosine_lr"), 1e-12, 1e-9);
        assertEquals(M.get("lr_min").asDouble(), s.lr(T + 5), 0, "stays at lr_min after T");
    }

    @Test void polyMatchesLambdaLR() {
        LrSchedule s = new PolySchedule(M.get("poly_base").asDouble(), T, M.get("poly_power").asDouble());
        Close.assertClose("poly", sequence(s), G.data("poly_lr"), 1e-12, 1e-9);
        assertEquals(0, s.lr(T + 1), 0);
        Close.assertClose("poly default power", sequence(new PolySchedule(M.get("poly_base").asDouble(), T)), G.data("poly_lr"), 1e-12, 1e-9);
    }

    @Test void warmupTimesPolyMatchesLambdaLR() {
        LrSchedule s = new PolySchedule(M.get("poly_base").asDouble(), T, 0.9)
                .withWarmup(M.get("warmup_iters").asLong(), M.get("warmup_start").asDouble());
        Close.assertClose("warm-up poly", sequence(s), G.data("warm_poly_lr"), 1e-12, 1e-9);
    }

    @Test void rejectsBadArguments() {
        assertThrows(IllegalArgumentException.class, () -> new CosineSchedule(0.001, 0.025, 10));
        assertThrows(IllegalArgumentException.class, () -> new PolySchedule(0.1, 0));
        assertThrows(IllegalArgumentException.class, () -> LrSchedule.constant(0.1).withWarmup(5, 1.5));
    }
}
