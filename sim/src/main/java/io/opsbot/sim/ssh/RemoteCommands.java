package io.opsbot.sim.ssh;

import io.opsbot.sim.cluster.ClusterModel;
import io.opsbot.sim.cluster.ClusterState;
import io.opsbot.sim.cluster.ClusterState.LogRecord;
import io.opsbot.sim.cluster.ClusterState.TaskState;
import io.opsbot.sim.cluster.Topology;
import io.opsbot.sim.http.Response;
import io.opsbot.sim.weave.WeaveApi;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The only commands the emulated nodes answer over SSH (the ones opsbot's log and status features send), with
 * output generated from the cluster model. Anything else: exit 127 and "opsbot-sim: command not allowed".
 */
public final class RemoteCommands {
  /** What a command printed and its exit status. */
  public record Result(int exit, String stdout, String stderr) {}

  static final String REFUSED = "opsbot-sim: command not allowed\n";
  private static final Pattern SINCE = Pattern.compile("--since=-(\\d{1,9})s");
  private static final Pattern LINES = Pattern.compile("--lines=(\\d{1,6})");
  private static final Pattern LOG_FILE = Pattern.compile("/var/log/remote/([a-z0-9][a-z0-9._-]*)\\.log");
  private static final List<String> WEAVE_PATHS = List.of("report", "status", "status/peers", "status/dns", "name");
  private static final DateTimeFormatter SHORT_ISO = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssZ", Locale.ROOT)
      .withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter RSYSLOG = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSXXX", Locale.ROOT)
      .withZone(ZoneOffset.UTC);

  private final ClusterModel model;
  private final Map<String, WeaveApi> weave;

  public RemoteCommands(ClusterModel model, Map<String, WeaveApi> weave) {
    this.model = model;
    this.weave = weave;
  }

  public Result run(String node, String line) {
    List<String> w = ShellWords.split(line);
    if (w == null || w.isEmpty()) {
      return refused();
    }
    Topology.Node n = model.topology().node(node);
    switch (w.get(0)) {
      case "journalctl":
        return journalctl(n, w);
      case "tail":
        if (w.size() == 4 && w.get(2).equals("--")) {
          return tail(n, w.get(1), w.get(3), null, true);
        }
        // opsbot's RemoteCommand.tailFile: tail -n N -- FILE
        return w.size() == 5 && w.get(1).equals("-n") && w.get(3).equals("--")
            ? tail(n, "--lines=" + w.get(2), w.get(4), null, true) : refused();
      case "grep": {
        // opsbot's RemoteCommand.tailFile with a search: grep --fixed-strings [--ignore-case] --regexp=TEXT -- FILE | tail --lines=N
        Search search = Search.parse(w, 0);
        if (search == null || w.size() != search.next() + 5 || !w.get(search.next()).equals("--")
            || !w.get(search.next() + 2).equals(ShellWords.PIPE) || !w.get(search.next() + 3).equals("tail")) {
          return refused();
        }
        return tail(n, w.get(search.next() + 4), w.get(search.next() + 1), search.text(), search.ignoreCase());
      }
      case "curl":
        return curl(node, w);
      default:
        return refused();
    }
  }

  /**
   * A literal search as grep runs it: {@code grep --fixed-strings [--ignore-case] --regexp=TEXT}.
   *
   * @param next the index of the word after the search
   */
  record Search(String text, boolean ignoreCase, int next) {

    /** The search starting at {@code w.get(at)}, or null when the words there are not that exact form. */
    static Search parse(List<String> w, int at) {
      if (w.size() < at + 3 || !w.get(at).equals("grep") || !w.get(at + 1).equals("--fixed-strings")) {
        return null;
      }
      boolean ignoreCase = w.get(at + 2).equals("--ignore-case");
      int regexp = ignoreCase ? at + 3 : at + 2;
      if (w.size() <= regexp || !w.get(regexp).startsWith("--regexp=") || w.get(regexp).length() == "--regexp=".length()) {
        return null;
      }
      return new Search(w.get(regexp).substring("--regexp=".length()), ignoreCase, regexp + 1);
    }

    boolean matches(String line) {
      return ignoreCase ? line.toLowerCase(Locale.ROOT).contains(text.toLowerCase(Locale.ROOT)) : line.contains(text);
    }
  }

  private static Result refused() {
    return new Result(127, "", REFUSED);
  }

  /**
   * journalctl --no-pager --output=short-iso --unit=U [--since=-Ns] followed by either --lines=N [--grep=REGEX], or
   * (opsbot's RemoteCommand.journalctl with a search) | grep --fixed-strings [--ignore-case] --regexp=TEXT | tail --lines=N.
   */
  private Result journalctl(Topology.Node node, List<String> w) {
    if (w.size() < 5 || !w.get(1).equals("--no-pager") || !w.get(2).equals("--output=short-iso")
        || !w.get(3).startsWith("--unit=")) {
      return refused();
    }
    Matcher since = SINCE.matcher(w.get(4));
    List<String> rest = w.subList(since.matches() ? 5 : 4, w.size());
    String grep = null;
    Search literal = null;
    Matcher lines;
    if (!rest.isEmpty() && rest.get(0).equals(ShellWords.PIPE)) {
      // opsbot's RemoteCommand.journalctl with a search: | grep --fixed-strings [--ignore-case] --regexp=TEXT | tail --lines=N
      literal = Search.parse(rest, 1);
      if (literal == null || rest.size() != literal.next() + 3 || !rest.get(literal.next()).equals(ShellWords.PIPE)
          || !rest.get(literal.next() + 1).equals("tail")) {
        return refused();
      }
      lines = LINES.matcher(rest.get(literal.next() + 2));
    } else if (rest.size() == 1 || rest.size() == 2) {
      lines = LINES.matcher(rest.get(0));
      if (rest.size() == 2) {
        if (!rest.get(1).startsWith("--grep=")) {
          return refused();
        }
        grep = rest.get(1).substring("--grep=".length());
      }
    } else {
      return refused();
    }
    if (!lines.matches()) {
      return refused();
    }
    String unit = w.get(3).substring("--unit=".length()).replaceFirst("\\.service$", "");
    if (!unit.matches("[a-z0-9-]+")) {
      return refused();
    }
    long now = model.clock().millis();
    long from = since.matches() ? now - Long.parseLong(since.group(1)) * 1000 : 0;
    int limit = Integer.parseInt(lines.group(1));
    if (!node.units().contains(unit)) {
      return new Result(0, "-- No entries --\n", "");
    }
    Pattern filter = null;
    if (grep != null) {
      try {
        // journalctl --grep is case-insensitive when the pattern is all lower case.
        filter = Pattern.compile(grep, grep.equals(grep.toLowerCase(Locale.ROOT)) ? Pattern.CASE_INSENSITIVE : 0);
      } catch (RuntimeException e) {
        return new Result(1, "", "Failed to compile pattern \"" + grep + "\"\n");
      }
    }
    List<LogRecord> records = model.read(s -> collect(s, node.name(), unit, from, now));
    List<String> out = new ArrayList<>();
    for (LogRecord r : records) {
      String line = SHORT_ISO.format(Instant.ofEpochMilli(r.t)) + " " + node.name() + " " + process(unit) + "["
          + (1000 + Math.abs(unit.hashCode() % 8000)) + "]: " + r.message;
      // grep --fixed-strings matches the whole printed line, literally; --grep only the message.
      if ((filter == null || filter.matcher(r.message).find()) && (literal == null || literal.matches(line))) {
        out.add(line);
      }
    }
    if (out.isEmpty()) {
      // Behind grep, journalctl's "-- No entries --" never matches: the pipe prints nothing (tail exits 0).
      return new Result(0, literal == null ? "-- No entries --\n" : "", "");
    }
    return new Result(0, String.join("\n", out.subList(Math.max(0, out.size() - limit), out.size())) + "\n", "");
  }

  private static String process(String unit) {
    return switch (unit) {
      case "mesos-slave" -> "mesos-agent";
      case "docker" -> "dockerd";
      case "zookeeper" -> "java";
      case "flocker-control", "flocker-dataset-agent", "flocker-container-agent" -> unit;
      default -> unit;
    };
  }

  /** Recorded events of the unit plus its routine chatter, oldest first. */
  private static List<LogRecord> collect(ClusterState s, String node, String unit, long from, long now) {
    List<LogRecord> out = new ArrayList<>();
    long step = 30_000;
    for (long t = Math.max(from, now - 3_600_000) / step * step + step; t <= now; t += step) {
      String msg = routine(unit, t, s);
      if (msg != null) {
        out.add(new LogRecord(t, node, unit, msg));
      }
    }
    for (LogRecord r : s.journal) {
      if (r.node.equals(node) && r.unit.equals(unit) && r.t >= from && r.t <= now) {
        out.add(r);
      }
    }
    out.sort((a, b) -> Long.compare(a.t, b.t));
    return out;
  }

  private static String routine(String unit, long t, ClusterState s) {
    return switch (unit) {
      case "zookeeper" -> "INFO  [SyncThread:0] - Processed session termination for sessionid: 0x" + Long.toHexString(t / 1000);
      case "mesos-master" -> "I Processing DECLINE call for offers of framework " + s.frameworkId + " (marathon)";
      case "marathon" -> "INFO  Received resource offers; no tasks to launch (mesosphere.marathon.core.launcher.impl.OfferProcessorImpl)";
      case "mesos-slave" -> "I Current disk usage 31.4%. Max allowed age: 4.2days";
      case "docker" -> "time=\"" + ClusterModel.iso(t) + "\" level=info msg=\"ignoring event\" module=libcontainerd namespace=moby";
      case "weave" -> "INFO: " + ClusterModel.iso(t) + " ->[" + "connection] heartbeat ok";
      case "flocker-control" -> "{\"message_type\": \"flocker:controlservice:periodic_send\", \"action_status\": \"succeeded\"}";
      case "flocker-dataset-agent" -> "{\"message_type\": \"flocker:agent:converge\", \"action_status\": \"succeeded\"}";
      case "flocker-container-agent" -> "{\"message_type\": \"flocker:agent:discover\", \"action_status\": \"succeeded\"}";
      case "rsyslog" -> t % 300_000 == 0 ? "imjournal: begin to drop messages due to rate-limiting" : null;
      default -> null;
    };
  }

  private Result tail(Topology.Node node, String linesArg, String file, String needle, boolean ignoreCase) {
    Matcher lines = LINES.matcher(linesArg);
    if (!lines.matches()) {
      return refused();
    }
    Matcher f = LOG_FILE.matcher(file);
    if (!f.matches()) {
      return refused();
    }
    String tag = f.group(1);
    boolean known = model.read(s -> s.apps.containsKey("/" + tag)
        || s.apps.keySet().stream().anyMatch(id -> id.substring(1).replace('/', '.').equals(tag)));
    if (!node.has("central-log") || !known) {
      String tool = needle == null ? "tail: cannot open '" + file + "' for reading" : "grep: " + file;
      return new Result(needle == null ? 1 : 2, "", tool + ": No such file or directory\n");
    }
    int limit = Integer.parseInt(lines.group(1));
    List<String> all = model.read(s -> appLog(s, tag, limit, needle, ignoreCase));
    // grep exits 1 when nothing matched, but tail (last in the pipe) decides the status: 0.
    return new Result(0, all.isEmpty() ? "" : String.join("\n", all) + "\n", "");
  }

  /** The last lines of an app's central log: generated request/connection lines from its running tasks. */
  private List<String> appLog(ClusterState s, String tag, int limit, String needle, boolean ignoreCase) {
    long now = model.clock().millis();
    List<TaskState> tasks = s.tasks.stream().filter(t -> t.appId.substring(1).replace('/', '.').equals(tag)
        && t.startedAt != null).toList();
    List<String> out = new ArrayList<>();
    if (tasks.isEmpty()) {
      return out;
    }
    long step = 7_000;
    int scanned = 0;
    for (long t = now / step * step; out.size() < limit && scanned < 20_000; t -= step, scanned++) {
      for (TaskState task : tasks) {
        if (t < task.startedAt) {
          continue;
        }
        String line = RSYSLOG.format(Instant.ofEpochMilli(t)) + " " + task.host + " " + tag + "["
            + (100 + Math.abs(task.id.hashCode() % 900)) + "]: " + appMessage(tag, t, task, s);
        if (needle == null || new Search(needle, ignoreCase, 0).matches(line)) {
          out.add(line);
        }
      }
      final long at = t;
      if (tasks.stream().allMatch(task -> task.startedAt > at)) {
        break;
      }
    }
    java.util.Collections.reverse(out);
    return out.subList(Math.max(0, out.size() - limit), out.size());
  }

  private static String appMessage(String tag, long t, TaskState task, ClusterState s) {
    Random r = new Random(t ^ task.id.hashCode());
    boolean failing = task.image != null && s.failingImages.contains(task.image);
    String client = "10.32.0." + (2 + r.nextInt(50));
    return switch (tag) {
      case "nodeapp" -> failing ? "GET /health 500 " + (1 + r.nextInt(5)) + "ms - MongoError: failed to connect to server"
          : r.nextInt(4) == 0 ? "GET /health 200 " + (1 + r.nextInt(3)) + "ms" : "GET /visits 200 " + (3 + r.nextInt(40)) + "ms";
      case "mongo" -> r.nextBoolean()
          ? "I NETWORK  [listener] connection accepted from " + client + ":" + (40000 + r.nextInt(20000)) + " #" + (r.nextInt(900) + 1) + " (" + (1 + r.nextInt(9)) + " connections now open)"
          : "I COMMAND  [conn" + r.nextInt(900) + "] command visits.visits command: find { find: \"visits\" } planSummary: COLLSCAN keysExamined:0 docsExamined:" + r.nextInt(500) + " " + r.nextInt(20) + "ms";
      case "nginx" -> client + " - - [" + DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ROOT).withZone(ZoneOffset.UTC)
          .format(Instant.ofEpochMilli(t)) + "] \"GET / HTTP/1.1\" 200 612 \"-\" \"curl/7.58.0\"";
      default -> failing ? "error: exited with status 1" : "GET / 200 " + (1 + r.nextInt(20)) + "ms";
    };
  }

  private Result curl(String node, List<String> w) {
    List<String> expected = List.of("curl", "--silent", "--show-error", "--max-time", "5", "--header");
    // RemoteCommand.weaveGet asks for JSON (report, name) or plain text (status, status/peers, status/dns).
    boolean accepted = w.size() == 8 && (w.get(6).equals("Accept: application/json") || w.get(6).equals("Accept: text/plain"));
    if (!accepted || !w.subList(0, 6).equals(expected) || !w.get(7).startsWith("http://127.0.0.1:6784/")) {
      return refused();
    }
    String path = w.get(7).substring("http://127.0.0.1:6784/".length());
    if (!WEAVE_PATHS.contains(path)) {
      return refused();
    }
    Response resp = weave.get(node).answer(path);
    return new Result(0, new String(resp.body(), StandardCharsets.UTF_8), "");
  }
}
