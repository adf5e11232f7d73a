package adl.train;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The exclusive lock of a run directory for the life of a run (docs/07-guarantees.md): an OS file
 * lock ({@link FileChannel#tryLock}) on the file {@value #NAME} in the directory, which holds the
 * holder's pid. The OS releases it when the process ends, however it ends ({@code kill -9}
 * included), so a lock file left by a crash never blocks a resume: only a live holder does.
 *
 * <p>Taking the lock also removes the temp files of interrupted atomic writes
 * ({@code .NAME...tmp}, see {@link RunFiles#writeAtomically}) in the directory and its
 * checkpoints/ folder: nobody else can be writing them while we hold the lock.
 */
public final class RunLock implements AutoCloseable {
    public static final String NAME = ".adl-lock";

    private final FileChannel channel;
    private final FileLock lock;
    private final List<Path> removed;

    private RunLock(FileChannel channel, FileLock lock, List<Path> removed) {
        this.channel = channel;
        this.lock = lock;
        this.removed = removed;
    }

    /** Another process (or another run in this one) holds the directory. */
    public static final class Busy extends IOException {
        Busy(String message) { super(message); }
    }

    /**
     * Creates {@code dir} if needed, takes its lock and cleans its leftover temp files.
     *
     * @throws Busy naming the holder's pid when the directory is in use
     */
    public static RunLock acquire(Path dir) throws IOException {
        Path file = dir.resolve(NAME);
        FileChannel ch;
        try {
            Files.createDirectories(dir);
            ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new IOException("cannot use " + dir + " as a run directory: " + IoErrors.reason(e), e);
        }
        FileLock l;
        try {
            l = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            l = null; // held by this very process (a second run in the same JVM)
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        if (l == null) {
            String holder = holder(ch);
            ch.close();
            throw new Busy(dir + " is in use by another adl run (pid " + holder + "); wait for it to end, or use another directory");
        }
        try {
            byte[] pid = (ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII);
            ch.truncate(0);
            ch.write(ByteBuffer.wrap(pid), 0);
            return new RunLock(ch, l, cleanTempFiles(dir));
        } catch (IOException | RuntimeException e) {
            l.release();
            ch.close();
            throw e;
        }
    }

    private static String holder(FileChannel ch) {
        try {
            ByteBuffer b = ByteBuffer.allocate(32);
            ch.read(b, 0);
            String s = new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII).strip();
            return s.matches("\\d+") ? s : "unknown";
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** Deletes {@code .*.tmp} files in {@code dir} and dir/checkpoints; returns them. */
    static List<Path> cleanTempFiles(Path dir) throws IOException {
        List<Path> removed = new ArrayList<>();
        for (Path d : new Path[] {dir, dir.resolve(RunFiles.CHECKPOINTS)}) {
            if (!Files.isDirectory(d)) continue;
            try (Stream<Path> s = Files.list(d)) {
                for (Path p : s.filter(RunLock::isTemp).toList()) {
                    Files.deleteIfExists(p);
                    removed.add(p);
                }
            }
        }
        return removed;
    }

    static boolean isTemp(Path p) {
        String n = p.getFileName().toString();
        return n.startsWith(".") && n.endsWith(".tmp") && Files.isRegularFile(p);
    }

    /** The temp files {@link #acquire} removed (left by an interrupted write). */
    public List<Path> removedTempFiles() { return removed; }

    @Override
    public void close() throws IOException {
        try {
            if (lock.isValid()) lock.release();
        } finally {
            channel.close();
        }
    }
}
