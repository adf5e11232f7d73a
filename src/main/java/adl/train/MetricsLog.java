package adl.train;

import java.util.Locale;

/**
 * Rows of metrics.csv: {@code epoch,iteration,train_loss,arch_loss,val_loss,val_miou,lr,seconds}.
 * A training row per iteration (val fields empty), a validation row per epoch end (train fields
 * empty). {@code iteration} counts iterations done.
 */
final class MetricsLog {
    private MetricsLog() {}

    static String trainRow(int epoch, long iteration, double trainLoss, double archLoss, double lr, double seconds) {
        return String.format(Locale.ROOT, "%d,%d,%s,%s,,,%s,%.3f", epoch, iteration, num(trainLoss), num(archLoss), num(lr), seconds);
    }

    static String valRow(int epoch, long iteration, double valLoss, double valMiou, double seconds) {
        return String.format(Locale.ROOT, "%d,%d,,,%s,%s,,%.3f", epoch, iteration, num(valLoss), num(valMiou), seconds);
    }

    private static String num(double v) { return Double.isNaN(v) ? "" : Double.toString(v); }

    /** Whether a row survives a resume from {@code s}: train rows up to its iteration, validation rows of finished epochs. */
    static boolean keep(String line, SearchState s) {
        String[] f = line.split(",", -1);
        if (f.length != 8) return false; // a line cut short by a kill
        try {
            int epoch = Integer.parseInt(f[0]);
            long iteration = Long.parseLong(f[1]);
            boolean validation = !f[4].isEmpty() || !f[5].isEmpty();
            return validation ? epoch < s.epoch() : iteration <= s.iteration();
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** The epoch of an architecture_history.jsonl line. */
    static int historyEpoch(String line) {
        int i = line.indexOf("\"epoch\":");
        int j = line.indexOf(',', i);
        if (i < 0 || j < 0 || !line.endsWith("}")) return Integer.MAX_VALUE; // cut short: dropped
        try {
            return Integer.parseInt(line.substring(i + 8, j).trim());
        } catch (NumberFormatException e) {
            return Integer.MAX_VALUE;
        }
    }
}
