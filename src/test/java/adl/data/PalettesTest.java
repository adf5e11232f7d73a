package adl.data;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PalettesTest {
    @Test void cityscapesHasTheNineteenTrainIdsWithOfficialColours() {
        Palette p = Palettes.cityscapes();
        assertEquals(19, p.size());
        assertEquals("road", p.names().get(0));
        assertArrayEquals(new int[] {128, 64, 128}, p.colors()[0]);
        assertArrayEquals(new int[] {244, 35, 232}, p.colors()[1]);   // sidewalk
        assertArrayEquals(new int[] {70, 130, 180}, p.colors()[10]);  // sky
        assertEquals("car", p.names().get(13));
        assertArrayEquals(new int[] {0, 0, 142}, p.colors()[13]);
        assertEquals("bicycle", p.names().get(18));
        assertArrayEquals(new int[] {119, 11, 32}, p.colors()[18]);
        assertEquals(0x804080, p.rgb(0));
    }

    @Test void cityscapesLabelIdsMapToTrainIds() {
        assertEquals(0, Palettes.cityscapesTrainId(7));     // road
        assertEquals(2, Palettes.cityscapesTrainId(11));    // building
        assertEquals(13, Palettes.cityscapesTrainId(26));   // car
        assertEquals(18, Palettes.cityscapesTrainId(33));   // bicycle
        for (int id : new int[] {0, 1, 6, 9, 10, 14, 15, 16, 18, 29, 30, -1, 34}) assertEquals(255, Palettes.cityscapesTrainId(id), "id " + id);
        int mapped = 0;
        for (int id = 0; id < 34; id++) if (Palettes.cityscapesTrainId(id) != 255) mapped++;
        assertEquals(19, mapped);
    }

    @Test void vocUsesTheDevkitColourMap() {
        Palette p = Palettes.voc();
        assertEquals(21, p.size());
        assertEquals("background", p.names().get(0));
        assertArrayEquals(new int[] {0, 0, 0}, p.colors()[0]);
        assertArrayEquals(new int[] {128, 0, 0}, p.colors()[1]);      // aeroplane
        assertArrayEquals(new int[] {0, 128, 0}, p.colors()[2]);      // bicycle
        assertArrayEquals(new int[] {128, 128, 0}, p.colors()[3]);    // bird
        assertArrayEquals(new int[] {0, 0, 128}, p.colors()[4]);      // boat
        assertArrayEquals(new int[] {192, 128, 128}, p.colors()[15]); // person
        assertArrayEquals(new int[] {0, 64, 128}, p.colors()[20]);    // tvmonitor
        assertArrayEquals(new int[] {224, 224, 192}, Palettes.vocColor(255)); // the void border colour
    }

    @Test void ade20kHas150ClassesWithTheSceneParsingColours() {
        Palette p = Palettes.ade20k();
        assertEquals(150, p.size());
        assertEquals("wall", p.names().get(0));
        assertArrayEquals(new int[] {120, 120, 120}, p.colors()[0]);
        assertEquals("bed", p.names().get(7));                       // no stray whitespace
        assertArrayEquals(new int[] {204, 5, 255}, p.colors()[7]);
        assertEquals("person", p.names().get(12));
        assertArrayEquals(new int[] {150, 5, 61}, p.colors()[12]);
        assertEquals("flag", p.names().get(149));
        assertArrayEquals(new int[] {92, 0, 255}, p.colors()[149]);
        assertEquals(150, new HashSet<>(p.names()).size());
    }

    @Test void syntheticIsTheDatasetsOwnAndNamesResolve() {
        SyntheticDataset d = new SyntheticDataset("val", 1, 8, 8, 3);
        assertEquals(d.classes(), Palettes.synthetic().names());
        assertArrayEquals(d.palette(), Palettes.synthetic().colors());
        assertEquals(19, Palettes.forDataset("Cityscapes").size());
        assertEquals(21, Palettes.forDataset("voc").size());
        assertEquals(150, Palettes.forDataset("ade20k").size());
        assertThrows(IllegalArgumentException.class, () -> Palettes.forDataset("coco"));
    }

    @Test void distinctColoursAreDeterministicDistinctAndNeverBlack() {
        int[][] a = Palettes.distinct(64), b = Palettes.distinct(64);
        assertArrayEquals(a, b);
        Set<Integer> seen = new HashSet<>();
        for (int[] c : a) {
            int rgb = (c[0] << 16) | (c[1] << 8) | c[2];
            assertTrue(seen.add(rgb), "repeated colour " + Integer.toHexString(rgb));
            assertFalse(rgb == 0, "black is the ignore colour");
        }
    }

    @Test void paletteValidatesAndCopies() {
        assertThrows(IllegalArgumentException.class, () -> new Palette(java.util.List.of("a"), new int[][] {{0, 0, 256}}));
        assertThrows(IllegalArgumentException.class, () -> new Palette(java.util.List.of("a", "b"), new int[][] {{0, 0, 0}}));
        Palette p = Palettes.cityscapes();
        p.colors()[0][0] = 7;
        assertEquals(128, p.colors()[0][0]);
    }
}
