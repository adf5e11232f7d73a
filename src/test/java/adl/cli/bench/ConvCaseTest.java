package adl.cli.bench;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The benchmark's shapes are those of docs/02-search-space.md §2 and §5 (and of scripts/bench_ops_torch.py). */
class ConvCaseTest {
    @Test void sizesPerLevelFollowCeilHalving() {
        assertArrayEquals(new int[] {16, 8, 4, 2}, sizes(64));
        assertArrayEquals(new int[] {81, 41, 21, 11}, sizes(321));
    }

    private static int[] sizes(int crop) {
        int[] s = new int[4];
        for (int v = 0; v < 4; v++) s[v] = ConvCase.sizeAt(crop, v);
        return s;
    }

    @Test void casesPairChannelsWithTheirLevelsSize() {
        List<ConvCase> cases = ConvCase.forCrops(List.of(321), 2);
        assertEquals(4 * 5, cases.size());
        ConvCase first = cases.get(0), last = cases.get(cases.size() - 1);
        assertEquals("dw3x3", first.op());
        assertEquals(8, first.c());
        assertEquals(81, first.size());
        assertEquals("pw1x1", last.op());
        assertEquals(64, last.c());
        assertEquals(11, last.size());
    }

    @Test void paddingKeepsTheSizeAndGroupsMatchTheKind() {
        for (ConvCase c : ConvCase.forCrops(List.of(64, 321), 2)) {
            assertEquals(c.size(), c.outSize(), c.toString());
            assertEquals(c.op().equals("pw1x1") ? 1 : c.c(), c.params().groups(), c.toString());
        }
        ConvCase dil5 = ConvCase.forCrops(List.of(64), 2).get(3);
        assertEquals("dil_dw5x5", dil5.op());
        assertEquals(4, dil5.params().padH());
        assertEquals(2, dil5.params().dilationH());
    }

    @Test void forwardFlopsCountMultiplyAddsTwice() {
        // depthwise 3x3, C = 8, 16x16, N = 2: 2·9·1·8·256·2
        assertEquals(2.0 * 9 * 8 * 256 * 2, ConvCase.forCrops(List.of(64), 2).get(0).forwardFlops());
        // pointwise, C = 64, 2x2, N = 2: 2·1·64·64·4·2
        assertEquals(2.0 * 64 * 64 * 4 * 2, ConvCase.forCrops(List.of(64), 2).get(19).forwardFlops());
    }

    @Test void medianOfOddAndEvenCounts() {
        assertEquals(2.0, Timing.median(new double[] {5, 1, 2}));
        assertEquals(2.5, Timing.median(new double[] {4, 1, 3, 2}));
        assertThrows(IllegalArgumentException.class, () -> Timing.median(new double[0]));
    }

    @Test void tableRowsLineUpWithTheHeader() {
        String[] header = OpsTable.header().split("\\R");
        String row = OpsTable.row(ConvCase.forCrops(List.of(321), 2).get(0), 1.5, 4.5);
        assertEquals(header[0].length(), row.length(), header[0] + "\n" + row);
        assertEquals(header[1].length(), row.length());
        assertEquals(header[0].chars().filter(ch -> ch == '|').count(), row.chars().filter(ch -> ch == '|').count());
    }
}
