package io.opsbot.engine.ops;

import io.opsbot.catalog.AppCatalog;
import io.opsbot.cluster.ssh.RemoteCommand;
import io.opsbot.cluster.ssh.SshRunner;
import io.opsbot.config.ClusterConfig;
import io.opsbot.engine.OpsException;
import io.opsbot.engine.Report;
import io.opsbot.engine.TransientException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code logs TARGET [@NODE] [--since] [--grep] [--lines]}: a service's journal (or its log file, when the
 * inventory in cluster.services says so) on the nodes that run it, or an app's lines from the central rsyslog host, both over SSH with the fixed {@link RemoteCommand}s. Output is bounded.
 *
 * <p>Searches are literal text, by one rule for journals and files: ignoring case unless {@code --case} asks for
 * exact case (a {@code grep --fixed-strings} on the node, see {@link RemoteCommand#journalctl}).
 */
final class LogsReport {

    /**
     * At most this many lines per source: a journal line is about 130 bytes, so 500 of them fill the
     * {@link #MAX_REPORT_BYTES} bound; more could never be shown. {@code logs --lines} accepts 1 to this.
     */
    static final int MAX_REPORT_LINES = 500;
    /** At most this much output per source: beyond it a chat message (even as a file snippet) is unreadable. */
    static final int MAX_REPORT_BYTES = 64 * 1024;
    /** journalctl needs a start; without --since the last hour is read. */
    static final Duration DEFAULT_SINCE = Duration.ofHours(1);
    /** How far back a journal is read from chat: further is an archive search, not a chat command. */
    static final Duration MAX_SINCE = Duration.ofDays(31);
    /** Where the central rsyslog host writes each program's lines (its syslog tag): one file per app. */
    static final String CENTRAL_LOG_DIR = "/var/log/remote";

    /** Services that run on the control node only; the others run on every node. */
    private static final Set<String> CONTROL_SERVICES = Set.of("zookeeper", "mesos-master", "marathon");
    private static final Set<String> NODE_SERVICES = Set.of("mesos-slave", "docker", "weave");
    static final String FLOCKER = "flocker";
    /** A dropped SSH connection is tried again twice: a node's sshd restarting or a blip, not a lasting fault. */
    static final int SSH_ATTEMPTS = 3;
    /** The pause before the second attempt, doubled before the third. */
    static final Duration SSH_RETRY_PAUSE = Duration.ofMillis(300);

    private final ClusterConfig config;
    private final AppCatalog catalog;
    private final Clock clock;
    private final SshRunner ssh;

    LogsReport(ClusterConfig config, AppCatalog catalog, Clock clock) {
        this.config = config;
        this.catalog = catalog;
        this.clock = clock;
        this.ssh = ClusterClients.sshRunner(config, Duration.ofSeconds(20));
    }

    /** Every service {@code logs} knows: the default inventory's and the configured ones (cluster.services). */
    Set<String> services() {
        Set<String> all = new TreeSet<>(CONTROL_SERVICES);
        all.addAll(NODE_SERVICES);
        all.add(FLOCKER);
        all.addAll(config.services().keySet());
        return all;
    }

    /** Where one node keeps a service's log: a systemd unit's journal, or a file when the inventory says so. */
    record Source(String node, String unit, String file) {
        String heading() {
            return node + ": " + (file == null ? "journal of " + unit : file);
        }

        RemoteCommand command(Duration since, int lines, String grep, boolean ignoreCase) {
            if (file == null) {
                return RemoteCommand.journalctl(unit, since, lines, grep, ignoreCase);
            }
            int slash = file.lastIndexOf('/');
            return RemoteCommand.tailFile(file.substring(0, Math.max(slash, 1)), file.substring(slash + 1), lines, grep,
                    ignoreCase);
        }
    }

    Report read(String target, String node, Duration since, String grep, int lines, boolean exactCase) {
        if (ssh == null) {
            throw new OpsException("SSH is not configured (cluster.ssh.user and key in opsbot.yaml), so logs cannot be read");
        }
        if (lines < 1 || lines > MAX_REPORT_LINES) {
            throw new OpsException("--lines: '" + lines + "' is out of range: the number of lines must be a whole number"
                    + " from 1 to " + MAX_REPORT_LINES);
        }
        if (grep != null) {
            RemoteCommand.text(grep);
        }
        if (node != null && !config.nodes().containsKey(node)) {
            throw new OpsException("no node named '" + node + "'; known nodes: " + String.join(", ", new TreeSet<>(config.nodes().keySet())));
        }
        List<Report.Section> sections = new ArrayList<>();
        String title;
        if (services().contains(target)) {
            List<Source> sources = sourcesOf(target, node);
            Duration span = since == null ? DEFAULT_SINCE : journalSpan(since);
            for (Source source : sources) {
                // A file has no --since of its own: its lines are filtered by their timestamps instead.
                RemoteCommand command = source.command(source.file() == null ? span : null, lines, grep, !exactCase);
                sections.add(section(source.heading(), run(source.node(), command), source.file() == null ? null : since));
            }
            title = sources.stream().anyMatch(source -> source.file() == null)
                    ? "logs of " + target + " (last " + describe(span) + (grep == null ? "" : ", matching " + searched(grep, exactCase)) + ")"
                    : fileTitle(target, since, grep, exactCase);
        } else if (catalog.find(target).isPresent()) {
            String host = controlNode();
            String file = catalog.require(target).name() + ".log";
            String heading = host + ": " + RemoteCommand.path(CENTRAL_LOG_DIR, file);
            SshRunner.Result result = run(host, RemoteCommand.tailFile(CENTRAL_LOG_DIR, file, lines, grep, !exactCase));
            if (result.exitStatus() != 0 && result.stdout().isEmpty()) {
                sections.add(new Report.Section(heading, List.of("no central log for " + target + " yet: " + result.stderr().strip())));
            } else {
                sections.add(section(heading, result, since));
            }
            title = fileTitle(target, since, grep, exactCase);
        } else {
            throw new OpsException("no service or app named '" + target + "'; services: " + String.join(", ", services())
                    + "; apps: " + String.join(", ", catalog.names()));
        }
        return new Report(title, sections, config.isEmulated());
    }

    private static void pause(Duration pause) {
        try {
            Thread.sleep(pause.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OpsException("interrupted while waiting to try SSH again", e);
        }
    }

    private static String fileTitle(String target, Duration since, String grep, boolean exactCase) {
        return "logs of " + target + (since == null ? "" : " (last " + describe(since) + ")")
                + (grep == null ? "" : " matching " + searched(grep, exactCase));
    }

    private static String searched(String grep, boolean exactCase) {
        return "'" + grep + "'" + (exactCase ? " (exact case)" : "");
    }

    private static Duration journalSpan(Duration since) {
        if (since.isNegative() || since.isZero() || since.compareTo(MAX_SINCE) > 0) {
            throw new OpsException("--since must be a duration between 1s and " + MAX_SINCE.toDays() + " days");
        }
        return since;
    }

    /**
     * Runs the command on the node; a transient SSH failure (a dropped connection, a timeout) is tried again, at most
     * {@link #SSH_ATTEMPTS} times in all; a lasting one (a refused login, a changed host key) at once ends the read
     * with a message naming the node.
     */
    private SshRunner.Result run(String node, RemoteCommand command) {
        SshRunner.Result result = null;
        for (int attempt = 1; result == null; attempt++) {
            try {
                result = ssh.run(ClusterClients.sshHost(config, node), config.ssh().portOf(node), command);
            } catch (TransientException e) {
                if (attempt >= SSH_ATTEMPTS) {
                    throw new TransientException("cannot read the logs on " + node + " (" + attempt + " attempts): "
                            + e.getMessage(), e);
                }
                pause(SSH_RETRY_PAUSE.multipliedBy(attempt));
            } catch (OpsException e) {
                throw new OpsException("cannot read the logs on " + node + ": " + e.getMessage(), e);
            }
        }
        if (result.exitStatus() == 127) {
            throw new OpsException("the log command was refused on " + node + ": " + result.stderr().strip());
        }
        return result;
    }

    /** The output as lines, newer than {@code since} when given (files only), bounded in lines and bytes. */
    private Report.Section section(String heading, SshRunner.Result result, Duration since) {
        List<String> lines = new ArrayList<>(result.stdout().lines().toList());
        if (since != null) {
            lines = newerThan(lines, since);
        }
        lines = bounded(lines);
        if (lines.isEmpty()) {
            lines.add(result.exitStatus() == 0 ? "no lines" : "exit " + result.exitStatus() + ": " + result.stderr().strip());
        }
        return new Report.Section(heading, lines, true);
    }

    /** The newest lines within {@link #MAX_REPORT_LINES} and {@link #MAX_REPORT_BYTES}, saying how many were cut. */
    static List<String> bounded(List<String> all) {
        List<String> lines = new ArrayList<>(all);
        int cut = 0;
        long bytes = lines.stream().mapToLong(l -> l.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + 1).sum();
        while (lines.size() > MAX_REPORT_LINES || bytes > MAX_REPORT_BYTES) {
            bytes -= lines.remove(0).getBytes(java.nio.charset.StandardCharsets.UTF_8).length + 1;
            cut++;
        }
        if (cut > 0) {
            lines.add(0, "(" + cut + " lines cut)");
        }
        return lines;
    }

    /**
     * Keeps lines whose leading RFC 3339 timestamp is within {@code since}. "Now" is the later of this machine's
     * clock and the newest line, so a log host whose clock runs ahead (the emulator's) is still read sensibly.
     * Lines without a timestamp follow the line before them.
     */
    List<String> newerThan(List<String> lines, Duration since) {
        Instant newest = clock.instant();
        List<Instant> stamps = new ArrayList<>();
        for (String line : lines) {
            Instant t = timestampOf(line);
            stamps.add(t);
            if (t != null && t.isAfter(newest)) {
                newest = t;
            }
        }
        Instant from = newest.minus(since);
        List<String> kept = new ArrayList<>();
        boolean keep = false;
        for (int i = 0; i < lines.size(); i++) {
            if (stamps.get(i) != null) {
                keep = !stamps.get(i).isBefore(from);
            }
            if (keep) {
                kept.add(lines.get(i));
            }
        }
        return kept;
    }

    static Instant timestampOf(String line) {
        int space = line.indexOf(' ');
        if (space < 20) {
            return null;
        }
        try {
            return OffsetDateTime.parse(line.substring(0, space)).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /**
     * The nodes to read {@code service} on and how: the inventory's entry (cluster.services) when there is one,
     * else the default: ZooKeeper, the Mesos master and Marathon on the control node, the Mesos agent, Docker and
     * Weave on every node, Flocker's control service on the control node and its dataset agent elsewhere.
     */
    private List<Source> sourcesOf(String service, String node) {
        ClusterConfig.Service configured = config.services().get(service);
        List<String> runsOn = configured != null && configured.nodes() != null ? configured.nodes() : defaultNodes(service);
        if (node != null && !runsOn.contains(node)) {
            throw new OpsException(service + " runs on " + String.join(", ", runsOn) + ", not on " + node);
        }
        if (node == null && configured == null && service.equals(FLOCKER)) {
            runsOn = List.of(controlNode());
        }
        List<Source> sources = new ArrayList<>();
        for (String where : node != null ? List.of(node) : runsOn) {
            if (configured != null && configured.file() != null) {
                sources.add(new Source(where, null, configured.file()));
            } else {
                String unit = configured != null && configured.unit() != null ? configured.unit() : defaultUnit(service, where);
                sources.add(new Source(where, unit, null));
            }
        }
        return sources;
    }

    private List<String> defaultNodes(String service) {
        return CONTROL_SERVICES.contains(service) ? List.of(controlNode()) : List.copyOf(new TreeSet<>(config.nodes().keySet()));
    }

    private String defaultUnit(String service, String node) {
        if (service.equals(FLOCKER)) {
            return node.equals(controlNode()) ? "flocker-control" : "flocker-dataset-agent";
        }
        return service;
    }

    /**
     * The node running ZooKeeper, the Mesos master, Marathon, the registry, the central log and the Flocker
     * control service: node1 in the cluster vagrant/ builds, else the first node by name.
     */
    private String controlNode() {
        if (config.nodes().containsKey("node1")) {
            return "node1";
        }
        return new TreeSet<>(config.nodes().keySet()).stream().findFirst()
                .orElseThrow(() -> new OpsException("no nodes are configured (cluster.nodes in opsbot.yaml)"));
    }

    private static String describe(Duration d) {
        long s = d.toSeconds();
        return s % 86_400 == 0 ? s / 86_400 + "d" : s % 3600 == 0 ? s / 3600 + "h" : s % 60 == 0 ? s / 60 + "m" : s + "s";
    }
}
