package adl.train.report;

import adl.train.plot.MetricsRow;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** metrics.csv read by its header's column names (so columns added later do not break older readers); empty fields are NaN. */
final class Metrics {
    private Metrics() {}

    static List<MetricsRow> read(Path csv) throws IOException {
        List<MetricsRow> rows = new ArrayList<>();
        if (!Files.isRegularFile(csv)) return rows;
        List<String> lines = Files.readAllLines(csv);
        if (lines.isEmpty()) return rows;
        List<String> h = Arrays.asList(lines.getFirst().split(","));
        int[] col = {h.indexOf("epoch"), h.indexOf("iteration"), h.indexOf("train_loss"), h.indexOf("arch_loss"), h.indexOf("val_loss"),
                h.indexOf("val_miou"), h.indexOf("lr"), h.indexOf("seconds")};
        if (col[0] < 0 || col[1] < 0) throw new IOException(csv + ": no epoch and iteration columns in its header");
        for (int i = 1; i < lines.size(); i++) {
            String[] f = lines.get(i).split(",", -1);
            if (f.length < h.size()) continue;
            try {
                rows.add(new MetricsRow(Integer.parseInt(f[col[0]]), Long.parseLong(f[col[1]]), num(f, col[2]), num(f, col[3]), num(f, col[4]),
                        num(f, col[5]), num(f, col[6]), num(f, col[7])));
            } catch (NumberFormatException e) {
                // a line cut by a crash mid-write: skipped
            }
        }
        return rows;
    }

    private static double num(String[] f, int c) { return c < 0 || f[c].isEmpty() ? Double.NaN : Double.parseDouble(f[c]); }

    /** The rows that carry a validation (one per epoch in a search, per evaluation in a retrain). */
    static List<MetricsRow> validations(List<MetricsRow> rows) {
        return rows.stream().filter(r -> Double.isFinite(r.valMiou()) || Double.isFinite(r.valLoss())).toList();
    }
}
