package io.opsbot.bot;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A small file system of a test's own, to fill up: a tmpfs mounted on a temporary folder (as root), else a loop-mounted
 * ext4 image. {@link #fill()} writes a filler file until the disk is full; {@link #free()} removes it.
 */
final class ScratchDisk implements AutoCloseable {

    private final Path mountPoint;
    private final Path image;
    private final String kind;

    private ScratchDisk(Path mountPoint, Path image, String kind) {
        this.mountPoint = mountPoint;
        this.image = image;
        this.kind = kind;
    }

    /** Mounts one of {@code megabytes}; throws with every reason when neither a tmpfs nor a loop file system can be. */
    static ScratchDisk mount(int megabytes) throws IOException, InterruptedException {
        Path point = Files.createTempDirectory("opsbot-scratch-disk-");
        List<String> why = new ArrayList<>();
        String tmpfs = run("mount", "-t", "tmpfs", "-o", "size=" + megabytes + "m,mode=0755", "tmpfs", point.toString());
        if (tmpfs == null) {
            return new ScratchDisk(point, null, "tmpfs of " + megabytes + " MB");
        }
        why.add("tmpfs: " + tmpfs);
        Path image = Files.createTempFile("opsbot-scratch-disk-", ".img");
        String loop = run("truncate", "-s", megabytes + "M", image.toString());
        if (loop == null) {
            loop = run("mkfs.ext4", "-q", "-F", image.toString());
        }
        if (loop == null) {
            loop = run("mount", "-o", "loop", image.toString(), point.toString());
        }
        if (loop == null) {
            return new ScratchDisk(point, image, "loop-mounted ext4 of " + megabytes + " MB");
        }
        why.add("loop file system: " + loop);
        Files.deleteIfExists(image);
        Files.deleteIfExists(point);
        throw new IOException("cannot mount a small file system to fill (needs root): " + String.join("; ", why));
    }

    Path path() {
        return mountPoint;
    }

    String kind() {
        return kind;
    }

    /** Writes a filler file until the disk says it is full; answers how many bytes it took. */
    long fill() throws IOException {
        long written = 0;
        byte[] block = new byte[64 * 1024];
        try (OutputStream out = new FileOutputStream(filler().toFile())) {
            while (true) {
                out.write(block);
                written += block.length;
            }
        } catch (IOException full) {
            if (!String.valueOf(full.getMessage()).contains("No space left")) {
                throw full;
            }
        }
        return written;
    }

    void free() throws IOException {
        Files.deleteIfExists(filler());
    }

    private Path filler() {
        return mountPoint.resolve("filler");
    }

    @Override
    public void close() throws IOException, InterruptedException {
        run("umount", "-l", mountPoint.toString());
        Files.deleteIfExists(mountPoint);
        if (image != null) {
            Files.deleteIfExists(image);
        }
    }

    /** Runs a command; null when it succeeded, else what it said. */
    private static String run(String... command) throws IOException, InterruptedException {
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException notThere) {
            return notThere.getMessage();
        }
        byte[] out = process.getInputStream().readAllBytes();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return String.join(" ", command) + " did not end within 60 s";
        }
        return process.exitValue() == 0 ? null : new String(out).strip() + " (exit " + process.exitValue() + ")";
    }
}
