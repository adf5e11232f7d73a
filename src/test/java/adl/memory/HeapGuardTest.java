package adl.memory;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.VMOption;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HeapGuardTest {
    @Test void collectsOnceTheHeapHoldsMoreThanTheSlackBeyondTheLastLiveSet() {
        HeapGuard guard = new HeapGuard(8L << 20);
        System.gc(); // so that the reference is the live set, whatever earlier tests left behind
        guard.afterStep(); // sets the reference
        assertEquals(0, guard.collections());
        byte[] grown = new byte[32 << 20]; // 32 MB more in use than at the reference
        grown[grown.length - 1] = 1;
        guard.afterStep();
        assertEquals(1, guard.collections(), "32 MB beyond the reference with 8 MB of slack must collect");
        assertEquals(1, grown[grown.length - 1]);
    }

    @Test void anActiveGuardSetsTheHeapFreeRatiosUnlessTheCommandLineDid() {
        HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        boolean fromCommandLine = vm.getVMOption("MaxHeapFreeRatio").getOrigin() == VMOption.Origin.VM_CREATION
                || vm.getVMOption("MinHeapFreeRatio").getOrigin() == VMOption.Origin.VM_CREATION;
        new HeapGuard(8L << 20);
        if (fromCommandLine) return; // a -XX: choice stands (the surefire JVM sets neither)
        assertEquals(Integer.toString(HeapGuard.MIN_HEAP_FREE_PERCENT), vm.getVMOption("MinHeapFreeRatio").getValue());
        assertEquals(Integer.toString(HeapGuard.MAX_HEAP_FREE_PERCENT), vm.getVMOption("MaxHeapFreeRatio").getValue());
        assertEquals(VMOption.Origin.MANAGEMENT, vm.getVMOption("MaxHeapFreeRatio").getOrigin());
    }

    /** The collection before the first step sets the reference: the first step then collects only past the slack. */
    @Test void beforeTheFirstStepOneCollectionSetsTheReference() {
        HeapGuard guard = new HeapGuard(64L << 20);
        guard.beforeFirstStep();
        assertEquals(1, guard.collections());
        guard.afterStep(); // nothing new in use: no second collection
        assertEquals(1, guard.collections());
        HeapGuard off = new HeapGuard(0);
        off.beforeFirstStep();
        assertEquals(0, off.collections());
    }

    @Test void zeroSlackIsOff() {
        HeapGuard guard = new HeapGuard(0);
        guard.afterStep();
        byte[] grown = new byte[32 << 20];
        guard.afterStep();
        assertEquals(0, guard.collections());
        assertEquals(0, grown[0]);
    }

    @Test void aBadPropertyNamesItself() {
        String old = System.getProperty("adl.heapSlackMB");
        try {
            System.setProperty("adl.heapSlackMB", "lots");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, HeapGuard::fromSystemProperty);
            assertTrue(e.getMessage().contains("-Dadl.heapSlackMB") && e.getMessage().contains("lots"), e.getMessage());
            System.setProperty("adl.heapSlackMB", "-3");
            assertThrows(IllegalArgumentException.class, HeapGuard::fromSystemProperty);
        } finally {
            if (old == null) System.clearProperty("adl.heapSlackMB");
            else System.setProperty("adl.heapSlackMB", old);
        }
    }
}
