package adl.memory;

import adl.backend.Device;
import adl.backend.Tensors;
import adl.tensor.DType;
import adl.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScopeTest {
    @Test void closingAScopeFreesWhatWasMadeInsideItExceptWhatWasKept() {
        long storages = MemoryStats.liveStorages(), bytes = MemoryStats.liveBytes();
        Tensor kept;
        try (Scope outer = Scope.open()) {
            try (Scope inner = Scope.open()) {
                Tensors.zeros(Device.CPU, DType.F32, 4, 4);
                kept = inner.keep(Tensors.zeros(Device.CPU, DType.F32, 8));
                assertEquals(storages + 2, MemoryStats.liveStorages());
            }
            assertEquals(storages + 1, MemoryStats.liveStorages());
            assertEquals(bytes + 32, MemoryStats.liveBytes());
            assertFalse(kept.storage().isFreed());
        }
        assertTrue(kept.storage().isFreed(), "kept into the outer scope, freed with it");
        assertEquals(storages, MemoryStats.liveStorages());
        assertEquals(bytes, MemoryStats.liveBytes());
    }

    @Test void viewsKeepTheirStorageAliveUntilTheLastHandleCloses() {
        long storages = MemoryStats.liveStorages();
        Tensor base = Tensors.zeros(Device.CPU, DType.F64, 2, 3); // outside any scope
        Tensor view;
        try (Scope s = Scope.open()) {
            view = s.keep(Tensors.view(base, adl.tensor.Shape.of(6), new long[] {1}, 0));
        }
        base.close();
        assertFalse(view.storage().isFreed());
        view.close();
        assertEquals(storages, MemoryStats.liveStorages());
    }

    @Test void useAfterFreeIsAClearError() {
        Tensor t;
        try (Scope s = Scope.open()) {
            t = Tensors.zeros(Device.CPU, DType.F32, 3);
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Tensors.toDoubles(t));
        assertTrue(e.getMessage().contains("after free"), e.getMessage());
    }

    @Test void scopesAreCurrentOnlyOnTheirThreadAndRestoreTheParent() {
        try (Scope a = Scope.open()) {
            try (Scope b = Scope.open()) {
                assertEquals(b, Scope.current());
            }
            assertEquals(a, Scope.current());
        }
        assertEquals(null, Scope.current());
    }
}
