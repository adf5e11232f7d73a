package adl.cli;

import adl.nas.Architecture;
import adl.train.RunListener;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Shows a search's progress: a progress bar (iteration, losses, ETA) on a terminal; plain log
 * lines otherwise (every {@code every} iterations, and at every epoch end).
 */
final class ConsoleProgress implements RunListener, AutoCloseable {
    private final PrintStream out;
    private final boolean terminal;
    private final int every;
    private final String task;
    private ProgressBar bar;
    private final long started = System.nanoTime();

    ConsoleProgress(PrintStream out, boolean terminal, int every) { this(out, terminal, every, "search"); }

    /** @param task "search" (epochs, decoded path at each epoch end) or "retrain" (numbered validations) */
    ConsoleProgress(PrintStream out, boolean terminal, int every, String task) {
        this.task = task;
        this.out = out;
        this.terminal = terminal;
        this.every = every;
    }

    @Override
    public void iteration(int epoch, long iteration, long total, double trainLoss, double archLoss, double lr) {
        String losses = String.format(Locale.ROOT, "loss %.3f%s", trainLoss, Double.isNaN(archLoss) ? "" : String.format(Locale.ROOT, " arch %.3f", archLoss));
        if (terminal) {
            if (bar == null) {
                bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(total).setStyle(ProgressBarStyle.ASCII)
                        .setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(out)).startsFrom(iteration - 1, java.time.Duration.ZERO).build();
            }
            bar.stepTo(iteration);
            bar.setExtraMessage(task.equals("search") ? "epoch " + epoch + " " + losses : losses);
        } else if (iteration % every == 0 || iteration == total) {
            double s = (System.nanoTime() - started) / 1e9;
            String where = task.equals("search") ? " epoch " + epoch : "";
            out.printf(Locale.ROOT, "iter %d/%d%s %s lr %.4g (%.0f s)%n", iteration, total, where, losses, lr, s);
        }
    }

    @Override
    public void epochEnd(int epoch, double valLoss, double valMiou, Architecture a) {
        String line = task.equals("search")
                ? String.format(Locale.ROOT, "epoch %d: val loss %.4f, val mIoU %.4f, path %s", epoch, valLoss, valMiou, java.util.Arrays.toString(a.path()))
                : String.format(Locale.ROOT, "validation %d: val loss %.4f, val mIoU %.4f", epoch + 1, valLoss, valMiou);
        if (terminal && bar != null) {
            bar.setExtraMessage(line);
        } else {
            out.println(line);
        }
    }

    @Override
    public void message(String line) {
        out.println(line);
    }

    @Override
    public void close() {
        if (bar != null) bar.close();
    }
}
