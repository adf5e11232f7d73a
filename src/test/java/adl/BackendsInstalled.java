package adl;

import adl.cli.BackendWiring;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Wires the CPU and CUDA backends in before any test class is loaded, as {@code adl.cli.Main} does
 * for a command (registered in META-INF/services; the JUnit launcher calls it once per session).
 */
public final class BackendsInstalled implements LauncherSessionListener {
    @Override public void launcherSessionOpened(LauncherSession session) { BackendWiring.install(); }
}
