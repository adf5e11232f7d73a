package adl.dist;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The NCCL binding against a fake libnccl.so.2 built here from src/test/resources/fake-nccl (same
 * signatures as nccl.h, host memory): the unique id travels by value into ncclCommInitRank, the
 * all-reduces run inside one group, errors come back as one line with NCCL's own text. Skipped where
 * no C compiler is installed. This is all the NCCL path has run; never on a GPU.
 */
class NcclBindingTest {
    @TempDir Path tmp;

    SymbolLookup fake(Arena arena) throws Exception {
        Path cc = null;
        for (String name : List.of("gcc", "cc")) {
            for (String d : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
                if (cc == null && Files.isExecutable(Path.of(d, name))) cc = Path.of(d, name);
            }
        }
        Assumptions.assumeTrue(cc != null, "no C compiler: the fake libnccl.so.2 cannot be built");
        Path src = Path.of("src/test/resources/fake-nccl/fake_nccl.c").toAbsolutePath(), lib = tmp.resolve("libnccl.so.2");
        Process p = new ProcessBuilder(cc.toString(), "-shared", "-fPIC", "-O1", "-o", lib.toString(), src.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, out);
        return SymbolLookup.libraryLookup(lib, arena);
    }

    static int counter(SymbolLookup lib, String name) throws Throwable {
        return (int) Linker.nativeLinker().downcallHandle(lib.find(name).orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_INT)).invokeExact();
    }

    @Test void bootstrapAndGroupedAllReduce() throws Throwable {
        try (Arena arena = Arena.ofShared()) {
            SymbolLookup lib = fake(arena);
            Nccl nccl = new Nccl(lib, "fake");
            assertEquals(22304, nccl.version());
            byte[][] sent = new byte[1][];
            MemorySegment comm = nccl.join(0, 2, id -> sent[0] = id.toArray(ValueLayout.JAVA_BYTE));
            assertEquals(Nccl.UNIQUE_ID_BYTES, sent[0].length, "rank 0 broadcasts the 128-byte id");
            assertEquals(1, sent[0][0]);
            assertEquals((byte) 128, sent[0][127]);
            MemorySegment a = arena.allocateFrom(ValueLayout.JAVA_FLOAT, 1f, 2f, 3f), b = arena.allocateFrom(ValueLayout.JAVA_FLOAT, 0.5f, -4f);
            nccl.allReduceSum(new MemorySegment[] {a, b}, new MemorySegment[] {a, b}, new long[] {3, 2}, Nccl.FLOAT32, comm, MemorySegment.NULL);
            assertArrayEquals(new float[] {2, 4, 6}, a.toArray(ValueLayout.JAVA_FLOAT));
            assertArrayEquals(new float[] {1, -8}, b.toArray(ValueLayout.JAVA_FLOAT));
            assertEquals(2, counter(lib, "fake_reduces"));
            assertEquals(0, counter(lib, "fake_reduces_outside_group"), "every ncclAllReduce inside ncclGroupStart/End");
            assertEquals(1, counter(lib, "fake_group_max"));
            var e = assertThrows(IllegalStateException.class, () -> nccl.initRank(2, arena.allocate(Nccl.UNIQUE_ID), 0));
            assertEquals("ncclCommInitRank failed: invalid argument (fake) (NCCL result 4, fake)", e.getMessage());
            nccl.destroy(comm);
        }
    }
}
