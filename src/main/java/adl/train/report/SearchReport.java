package adl.train.report;

import adl.nas.Architecture;
import adl.nas.CellEdge;
import adl.train.plot.CurvePlot;
import adl.train.plot.MetricsRow;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * report.html of a search run: config, loss and mIoU curves, α with the kept ops marked, β̂ on the
 * trellis with the Viterbi path, the decoded cell, the architecture per epoch, time and memory.
 * Built from the run's files alone (the plots are the PNGs the search wrote at its last epoch).
 */
public final class SearchReport {
    public static final String FILE = "report.html";
    static final ObjectMapper JSON = new ObjectMapper();

    private SearchReport() {}

    /** Writes {@code runDir/report.html}; {@code redrawCurves} rewrites curves.png from metrics.csv first. */
    public static Path write(Path runDir, boolean redrawCurves) throws IOException {
        List<MetricsRow> metrics = Metrics.read(runDir.resolve("metrics.csv"));
        if (redrawCurves && !metrics.isEmpty()) CurvePlot.write(runDir.resolve("curves.png"), metrics);
        JsonNode config = JSON.readTree(runDir.resolve("config.json").toFile());
        Path archFile = runDir.resolve("architecture.json");
        Architecture arch = Files.isRegularFile(archFile) ? Architecture.read(archFile) : null;
        List<MetricsRow> vals = Metrics.validations(metrics);

        Html h = new Html("Search " + runDir.getFileName());
        h.h1("Auto-DeepLab search: " + runDir.getFileName());
        MetricsRow last = vals.isEmpty() ? null : vals.getLast();
        h.p(String.format(Locale.ROOT, "%s data, %d of %d epochs done (architecture steps from epoch %d). %s",
                config.path("dataset").asText("?"), vals.size(), config.path("epochs").asInt(), config.path("arch_start_epoch").asInt(),
                last == null ? "No epoch has finished yet." : String.format(Locale.ROOT, "Last validation mIoU %.4f; decoded path %s; %d of %d kept ops have parameters.",
                        last.valMiou(), arch == null ? "-" : Arrays.toString(arch.path()), arch == null ? 0 : parametric(arch), arch == null ? 0 : arch.cell().size())));

        h.h2("Losses and validation mIoU");
        h.png(runDir.resolve("curves.png"), "loss and mIoU curves");
        h.p(ReportText.VAL_LOSS_SPIKE);
        List<List<String>> epochs = new ArrayList<>();
        for (MetricsRow r : vals) {
            epochs.add(List.of(Integer.toString(r.epoch()), Long.toString(r.iteration()), fmt(r.valLoss()), String.format(Locale.ROOT, "%.4f", r.valMiou()),
                    Double.isFinite(r.seconds()) ? String.format(Locale.ROOT, "%.0f", r.seconds()) : "-"));
        }
        h.table(List.of("epoch", "iteration", "val loss", "val mIoU", "seconds"), epochs);

        h.h2("Cell level: softmax(α)");
        h.p("Each row is one edge of the cell (into block i from state j), each column a candidate op; colours span the smallest to the largest "
                + "weight. The black frames are the ops the decoder kept: per block, the two strongest edges and each one's strongest op (paper §4.1).");
        h.png(runDir.resolve("alpha.png"), "alpha heatmap");

        h.h2("Network level: β̂ and the decoded path");
        h.p("Line width and opacity grow with β̂ (the softmax of β over the edges leaving a node, paper Eq. 6); the red line is the path "
                + "Viterbi decoding picks (paper §4.1, docs/04-decoding.md).");
        h.png(runDir.resolve("trellis.png"), "trellis with the decoded path");

        h.h2("Decoded cell");
        h.png(runDir.resolve("cell.png"), "decoded cell");
        if (arch != null) {
            List<List<String>> blocks = new ArrayList<>();
            for (int b = 0; b < arch.blocks(); b++) {
                CellEdge x = arch.cell().get(2 * b), y = arch.cell().get(2 * b + 1);
                blocks.add(List.of(Integer.toString(b), x.op().paperName() + " (state " + x.input() + ")", y.op().paperName() + " (state " + y.input() + ")"));
            }
            h.table(List.of("block", "first op (input)", "second op (input)"), blocks);
            h.p("States 0 and 1 are the cell's inputs H^{l-1} and H^{l-2}; state 2 + k is block k. Path (level of layer 1.." + arch.layers() + "): "
                    + Arrays.toString(arch.path()) + ".");
        }

        h.h2("Architecture per epoch");
        h.table(List.of("epoch", "path", "cell (op(state) per block)", "parametric ops", "changed", "val mIoU"), history(runDir, vals));

        h.h2("Time and memory");
        h.table(List.of("what", "value"), RunStats.rows(runDir, metrics));

        h.h2("Configuration");
        h.table(List.of("setting", "value"), configRows(config));
        Path out = runDir.resolve(FILE);
        ReportText.writeAtomically(out, h.finish());
        return out;
    }

    /** Kept ops with weights (the separable and dilated convolutions). */
    static int parametric(Architecture a) {
        int n = 0;
        for (CellEdge e : a.cell()) if (e.op().paperName().contains("conv")) n++;
        return n;
    }

    private static List<List<String>> history(Path runDir, List<MetricsRow> vals) throws IOException {
        Path file = runDir.resolve("architecture_history.jsonl");
        List<List<String>> rows = new ArrayList<>();
        if (!Files.isRegularFile(file)) return rows;
        Architecture previous = null;
        for (String line : Files.readAllLines(file)) {
            if (line.isBlank()) continue;
            JsonNode n;
            try {
                n = JSON.readTree(line);
            } catch (IOException e) {
                continue;
            }
            int epoch = n.path("epoch").asInt();
            Architecture a = Architecture.fromJson(n.path("architecture").toString());
            StringBuilder cell = new StringBuilder();
            for (int b = 0; b < a.blocks(); b++) {
                CellEdge x = a.cell().get(2 * b), y = a.cell().get(2 * b + 1);
                if (b > 0) cell.append("; ");
                cell.append(x.op().paperName()).append('(').append(x.input()).append(") + ").append(y.op().paperName()).append('(').append(y.input()).append(')');
            }
            String changed = previous == null ? "-" : previous.equals(a) ? "" : (Arrays.equals(previous.path(), a.path()) ? "cell" : previous.cell().equals(a.cell()) ? "path" : "path, cell");
            double miou = vals.stream().filter(r -> r.epoch() == epoch).mapToDouble(MetricsRow::valMiou).findFirst().orElse(Double.NaN);
            rows.add(List.of(Integer.toString(epoch), Arrays.toString(a.path()), cell.toString(), parametric(a) + " of " + a.cell().size(), changed,
                    Double.isFinite(miou) ? String.format(Locale.ROOT, "%.4f", miou) : "-"));
            previous = a;
        }
        return rows;
    }

    static List<List<String>> configRows(JsonNode config) {
        List<List<String>> rows = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = config.properties().iterator(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            rows.add(List.of(e.getKey(), e.getValue().isValueNode() ? e.getValue().asText() : e.getValue().toString()));
        }
        return rows;
    }

    static String fmt(double v) {
        if (!Double.isFinite(v)) return "-";
        return Math.abs(v) >= 1000 ? String.format(Locale.ROOT, "%,.0f", v) : String.format(Locale.ROOT, "%.4f", v);
    }
}
