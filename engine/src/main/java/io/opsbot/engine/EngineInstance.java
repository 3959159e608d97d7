package io.opsbot.engine;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * This engine as a shared journal names it, and whether another engine named there is still alive. An engine is
 * alive while it renews its leases (every {@link #HEARTBEAT}); one on this machine whose process has exited is
 * dead at once, so a restart after a crash resumes its operations without waiting out the lease.
 */
final class EngineInstance {

    /** How often an engine renews its leases. */
    static final Duration HEARTBEAT = Duration.ofSeconds(2);
    /** Two starts of the same process id this far apart are two processes. */
    private static final long SAME_START_TOLERANCE_MS = 1_000;

    private final String machine;
    private final long pid;
    private final long startMillis;
    private final String id;
    private final Duration lease;

    private EngineInstance(String machine, long pid, long startMillis, Duration lease) {
        this.machine = machine;
        this.pid = pid;
        this.startMillis = startMillis;
        this.lease = lease;
        this.id = machine + "|" + pid + "|" + startMillis + "|"
                + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    }

    /** This process's engine; several engines in one process (tests) are told apart by the random part. */
    static EngineInstance current(Duration lease) {
        ProcessHandle self = ProcessHandle.current();
        long start = self.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
        return new EngineInstance(machine(), self.pid(), start, lease);
    }

    /** What the journal records as owner: machine|pid|process start|random. */
    String id() {
        return id;
    }

    /** Whether the engine holding {@code held} still runs: this one, one whose heartbeat is fresh, and not a dead local process. */
    boolean isAlive(Lease held, Instant now) {
        if (held.owner() == null) {
            return false; // journaled before leases, or never claimed: nobody runs it
        }
        if (held.owner().equals(id)) {
            return true;
        }
        if (exitedHere(held.owner())) {
            return false;
        }
        return held.heartbeatAt() != null && held.heartbeatAt().isAfter(now.minus(lease));
    }

    /** The owner ran on this machine and its process is gone (or the pid now belongs to a younger process). */
    private boolean exitedHere(String owner) {
        String[] parts = owner.split("\\|");
        if (parts.length != 4 || !parts[0].equals(machine)) {
            return false;
        }
        long ownerPid;
        long ownerStart;
        try {
            ownerPid = Long.parseLong(parts[1]);
            ownerStart = Long.parseLong(parts[2]);
        } catch (NumberFormatException e) {
            return false;
        }
        if (ownerPid == pid) {
            return Math.abs(ownerStart - startMillis) > SAME_START_TOLERANCE_MS;
        }
        Optional<ProcessHandle> process = ProcessHandle.of(ownerPid).filter(ProcessHandle::isAlive);
        return process.isEmpty() || process.get().info().startInstant()
                .map(start -> Math.abs(start.toEpochMilli() - ownerStart) > SAME_START_TOLERANCE_MS).orElse(false);
    }

    /**
     * The host name, with the kernel's boot id and the process-id namespace where there are: two machines, or two
     * containers, that share a host name are still told apart, so a process id is only looked up where it means
     * the same process.
     */
    private static String machine() {
        String host = System.getenv("HOSTNAME");
        if (host == null || host.isBlank()) {
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (IOException e) {
                host = "unknown-host";
            }
        }
        String boot = "";
        try {
            boot = "/" + Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).trim()
                    + "/" + Files.readSymbolicLink(Path.of("/proc/self/ns/pid"));
        } catch (IOException | RuntimeException e) {
            // not Linux: the host name alone
        }
        return (host + boot).replace('|', '_');
    }
}
