package io.opsbot.engine.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.opsbot.cluster.marathon.App;
import io.opsbot.cluster.marathon.Embed;
import io.opsbot.cluster.marathon.Task;
import io.opsbot.engine.EngineSettings;
import io.opsbot.engine.Operation;
import io.opsbot.engine.OpsException;
import io.opsbot.engine.Outcome;
import io.opsbot.engine.Report;
import io.opsbot.engine.RetryPolicy;
import io.opsbot.engine.StepReport;
import io.opsbot.engine.StepResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cluster faults injected through the emulated cluster's control API ({@code POST /_sim/faults}, agents, deployments,
 * the event stream) while operations run: Marathon answering 503 or hanging during plan, apply and verify, answers
 * lost after a write, the event stream dropped mid-deployment, a deployment cancelled from outside, an agent lost
 * mid-deployment, Flocker failing mid-move, the registry refusing a push, SSH refusing a login.
 *
 * <p>Every run is judged against the sim's own record (its write log, its apps, tasks and datasets) and counted:
 * a transient fault must be ridden out (the operation succeeds, the cluster ends where it asked, each write made once);
 * a lasting one must end the operation cleanly with a message naming the service; and whatever the ending, what the
 * operation says (its summary, its steps' CHANGED or not, "rolled back to …") must be true of the cluster.
 *
 * <p>Bounded: a fixed list of 20 runs covering each fault. {@code OPSBOT_LONG=true}: that list, then
 * {@code OPSBOT_FAULT_RUNS} (default 150) random (operation, fault, phase, count) runs; {@code OPSBOT_FAULT_SEED}
 * repeats one. Figures go to stdout and {@code target/cluster-faults.txt}.
 */
class ClusterFaultsTest {

    /** One read of a hung Marathon is given up after this (production: 30 s); a hang lasts longer. */
    static final Duration READ_TIMEOUT = Duration.ofMillis(1500);
    static final long HANG_MILLIS = 2500;
    static final boolean LONG = "true".equalsIgnoreCase(System.getenv("OPSBOT_LONG"));
    /**
     * Faults in a row that every operation must ride out: a write gets 4 attempts from the engine (so 3 failures), a
     * read more (the HTTP client's 3 times the engine's 4, or a command's own 4 while it is prepared). A longer burst
     * may end either way, but cleanly and truly.
     */
    static final int WITHIN_RETRIES = 3;

    @TempDir
    static Path home;
    static SimCluster cluster;
    static final List<Run> runs = new ArrayList<>();

    @BeforeAll
    static void start() {
        // The engine's retries as in production but with shorter pauses: 4 attempts, 100 ms → 1 s.
        EngineSettings engine = new EngineSettings(Duration.ofSeconds(30),
                new RetryPolicy(4, Duration.ofMillis(100), Duration.ofSeconds(1)));
        cluster = new SimCluster(home, null, SimCluster.REPO_APPS,
                new ClusterOperations.Settings(Duration.ofSeconds(40), Duration.ofSeconds(8), Map.of(), "node1:5000",
                        Duration.ofSeconds(10)),
                READ_TIMEOUT, engine);
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    // ---- what runs ----------------------------------------------------------------------------------------------

    enum Op { SCALE, RESTART, DEPLOY, ROLLBACK, MOVE, LOGS_APP, LOGS_SERVICE }

    /** What a fault should lead to. */
    enum Expect {
        /** transient: retried, and the operation succeeds */
        SUCCEED,
        /** lasting: the operation gives up, naming the service */
        GIVE_UP,
        /** either may be right (an agent lost mid-deployment); the ending must be true all the same */
        EITHER
    }

    /**
     * One fault: a body for POST /_sim/faults, or an event the test makes happen once the operation's first write
     * reached the cluster ({@code trigger}: drop-stream, cancel, agent-down).
     */
    record Fault(String name, String service, String json, String trigger, Expect expect) {
        static Fault http(String name, String service, Expect expect, String json) {
            return new Fault(name, service, json, null, expect);
        }

        static Fault on(String name, String trigger, Expect expect) {
            return new Fault(name, "Marathon", null, trigger, expect);
        }
    }

    record Scenario(Op op, Fault fault) {
        @Override
        public String toString() {
            return op.name().toLowerCase(Locale.ROOT) + " / " + fault.name();
        }
    }

    /** How one run ended, and the verdict on it. */
    record Run(Scenario scenario, String ending, long injected, long writes, boolean succeeded, boolean expected,
               boolean serviceNamed, List<String> untrue) {
        boolean trueEnding() {
            return untrue.isEmpty();
        }
    }

    static Fault marathon(String name, Expect expect, String method, String path, String kind, int count, String phase) {
        String status = kind.equals("status") ? ", \"status\": 503" : kind.equals("lose-answer") ? ", \"status\": 503" : "";
        String hang = kind.equals("hang") ? ", \"hangMillis\": " + HANG_MILLIS : "";
        return Fault.http(name, "Marathon", expect, "{\"service\": \"marathon\", \"method\": \"" + method
                + "\", \"pathPrefix\": \"" + path + "\", \"kind\": \"" + kind + "\"" + status + hang
                + ", \"count\": " + count + ", \"phase\": \"" + phase + "\"}");
    }

    /** The bounded list: every fault of issue 14's list at least once, over every operation. */
    static List<Scenario> bounded() {
        return List.of(
                new Scenario(Op.SCALE, marathon("Marathon 503 x2 while planning", Expect.SUCCEED, "GET", "/v2/", "status", 2, "plan")),
                new Scenario(Op.SCALE, marathon("Marathon 503 on the write", Expect.SUCCEED, "PUT", "/v2/apps", "status", 1, "apply")),
                new Scenario(Op.SCALE, marathon("Marathon 503 x4 while verifying", Expect.SUCCEED, "GET", "/v2/", "status", 4, "verify")),
                new Scenario(Op.RESTART, marathon("Marathon hangs while planning", Expect.SUCCEED, "GET", "/v2/apps", "hang", 1, "plan")),
                new Scenario(Op.RESTART, marathon("Marathon hangs on the write", Expect.SUCCEED, "POST", "/v2/apps", "hang", 1, "apply")),
                new Scenario(Op.DEPLOY, marathon("Marathon hangs while verifying", Expect.SUCCEED, "GET", "/v2/", "hang", 2, "verify")),
                new Scenario(Op.DEPLOY, marathon("Marathon's answer to the write lost", Expect.SUCCEED, "PUT", "/v2/apps", "lose-answer", 1, "apply")),
                new Scenario(Op.ROLLBACK, marathon("Marathon 503 for good while planning", Expect.GIVE_UP, "GET", "/v2/", "status", 100_000, "plan")),
                new Scenario(Op.SCALE, marathon("Marathon 503 for good on the write", Expect.GIVE_UP, "PUT", "/v2/apps", "status", 100_000, "apply")),
                new Scenario(Op.RESTART, marathon("Marathon 503 for good while verifying", Expect.GIVE_UP, "GET", "/v2/", "status", 100_000, "verify")),
                new Scenario(Op.DEPLOY, Fault.on("event stream dropped mid-deployment", "drop-stream", Expect.SUCCEED)),
                new Scenario(Op.SCALE, Fault.on("deployment cancelled from outside", "cancel", Expect.GIVE_UP)),
                new Scenario(Op.RESTART, Fault.on("agent lost mid-deployment", "agent-down", Expect.EITHER)),
                new Scenario(Op.MOVE, Fault.http("Flocker 503 x3 mid-move", "Flocker", Expect.SUCCEED,
                        "{\"service\": \"flocker\", \"method\": \"GET\", \"pathPrefix\": \"/v1/state\", \"status\": 503, \"count\": 3, \"phase\": \"verify\"}")),
                new Scenario(Op.MOVE, Fault.http("Flocker failing the move for good", "Flocker", Expect.GIVE_UP,
                        "{\"service\": \"flocker\", \"method\": \"POST\", \"pathPrefix\": \"/v1/configuration/datasets/\", \"status\": 500, \"count\": 100000}")),
                new Scenario(Op.MOVE, Fault.http("Flocker's answer to the move lost", "Flocker", Expect.SUCCEED,
                        "{\"service\": \"flocker\", \"method\": \"POST\", \"pathPrefix\": \"/v1/configuration/datasets/\", \"kind\": \"lose-answer\"}")),
                new Scenario(Op.DEPLOY, Fault.http("registry refusing the push", "registry", Expect.GIVE_UP,
                        "{\"service\": \"registry\", \"method\": \"POST\", \"pathPattern\": \"/blobs/uploads/$\", \"status\": 403, \"count\": 100000}")),
                new Scenario(Op.DEPLOY, Fault.http("registry 503 on the push", "registry", Expect.SUCCEED,
                        "{\"service\": \"registry\", \"method\": \"PUT\", \"pathPattern\": \"/manifests/\", \"status\": 503, \"count\": 1}")),
                new Scenario(Op.LOGS_APP, Fault.http("SSH refusing the login", "SSH", Expect.GIVE_UP,
                        "{\"service\": \"ssh\", \"node\": \"node1\", \"kind\": \"refuse-login\", \"count\": 100000}")),
                new Scenario(Op.LOGS_SERVICE, Fault.http("SSH connection dropped at login", "SSH", Expect.SUCCEED,
                        "{\"service\": \"ssh\", \"kind\": \"drop\", \"count\": 1}")));
    }

    /** A random scenario for the long mode: any operation, any fault, any phase, 1-6 times or for good. */
    static Scenario random(Random random) {
        Op op = Op.values()[random.nextInt(Op.values().length)];
        if (op == Op.LOGS_APP || op == Op.LOGS_SERVICE) {
            boolean lasting = random.nextInt(3) == 0;
            String kind = lasting ? "refuse-login" : random.nextBoolean() ? "drop" : "hang";
            int count = lasting ? 100_000 : 1 + random.nextInt(2);
            String hang = kind.equals("hang") ? ", \"hangMillis\": 500" : "";
            return new Scenario(op, Fault.http("SSH " + kind + (lasting ? " for good" : " x" + count), "SSH",
                    lasting ? Expect.GIVE_UP : Expect.SUCCEED, "{\"service\": \"ssh\", \"kind\": \"" + kind + "\"" + hang
                            + ", \"count\": " + count + "}"));
        }
        int pick = random.nextInt(10);
        if (pick == 0) {
            String trigger = List.of("drop-stream", "cancel", "agent-down").get(random.nextInt(3));
            Expect expect = trigger.equals("drop-stream") ? Expect.SUCCEED
                    : trigger.equals("cancel") ? Expect.GIVE_UP : Expect.EITHER;
            return new Scenario(op, Fault.on(trigger, trigger, expect));
        }
        if (op == Op.MOVE && pick <= 3) {
            boolean lasting = random.nextInt(4) == 0;
            String phase = List.of("plan", "apply", "verify").get(random.nextInt(3));
            String method = phase.equals("apply") ? "POST" : "GET";
            int count = lasting ? 100_000 : 1 + random.nextInt(6);
            return new Scenario(op, Fault.http("Flocker 503 " + (lasting ? "for good" : "x" + count) + " " + phase, "Flocker",
                    lasting ? Expect.GIVE_UP : count <= WITHIN_RETRIES ? Expect.SUCCEED : Expect.EITHER, "{\"service\": \"flocker\", \"method\": \"" + method
                            + "\", \"status\": 503, \"count\": " + count + ", \"phase\": \"" + phase + "\"}"));
        }
        if (op == Op.DEPLOY && pick <= 2) {
            boolean lasting = random.nextBoolean();
            return new Scenario(op, Fault.http("registry " + (lasting ? "403 for good" : "503 x1"), "registry",
                    lasting ? Expect.GIVE_UP : Expect.SUCCEED, "{\"service\": \"registry\", \"method\": \"POST\", \"status\": "
                            + (lasting ? 403 : 503) + ", \"count\": " + (lasting ? 100_000 : 1) + "}"));
        }
        String phase = List.of("plan", "apply", "verify").get(random.nextInt(3));
        String kind = List.of("status", "status", "hang", "lose-answer", "drop").get(random.nextInt(5));
        if (!phase.equals("apply") && kind.equals("lose-answer")) {
            kind = "status";
        }
        boolean lasting = kind.equals("status") && random.nextInt(4) == 0;
        int count = lasting ? 100_000 : 1 + random.nextInt(kind.equals("hang") ? 2 : 6);
        String method = phase.equals("apply") ? (op == Op.RESTART ? "POST" : "PUT") : "GET";
        return new Scenario(op, marathon("Marathon " + kind + (lasting ? " for good" : " x" + count) + " " + phase,
                lasting ? Expect.GIVE_UP : count <= WITHIN_RETRIES ? Expect.SUCCEED : Expect.EITHER, method, "/v2/", kind,
                count, phase));
    }

    // ---- the test -----------------------------------------------------------------------------------------------

    @Test
    void everyFaultIsRiddenOutOrEndsCleanlyAndEveryEndingIsTrue() throws Exception {
        List<Scenario> scenarios = new ArrayList<>(bounded());
        long seed = Long.getLong("opsbot.fault.seed", envLong("OPSBOT_FAULT_SEED", System.nanoTime()));
        if ("true".equalsIgnoreCase(System.getenv("OPSBOT_LONG"))) {
            Random random = new Random(seed);
            int extra = (int) envLong("OPSBOT_FAULT_RUNS", 150);
            for (int i = 0; i < extra; i++) {
                scenarios.add(random(random));
            }
        }
        for (Scenario s : scenarios) {
            runs.add(run(s));
        }

        String figures = figures(seed);
        System.out.println(figures);
        Files.writeString(Path.of("target", "cluster-faults.txt"), figures);

        List<String> problems = new ArrayList<>();
        for (Run r : runs) {
            if (!r.trueEnding()) {
                problems.add(r.scenario() + ": untrue ending (" + String.join("; ", r.untrue()) + "): " + r.ending());
            }
            if (!r.expected()) {
                problems.add(r.scenario() + ": expected " + r.scenario().fault().expect() + ", ended: " + r.ending());
            }
            if (!r.succeeded() && !r.serviceNamed()) {
                problems.add(r.scenario() + ": gave up without naming " + r.scenario().fault().service() + ": " + r.ending());
            }
            if (r.injected() == 0) {
                problems.add(r.scenario() + ": the fault never fired");
            }
        }
        assertThat(problems).as(figures).isEmpty();
    }

    /**
     * The Mesos master and the Weave routers answering 503, hanging (held past the client's read timeout, then closed)
     * or sending a malformed body (JSON cut off mid-document), for good: {@code status}, {@code status nodeapp} and the
     * health report each still answer, with the failing part as one line that names the service, and the rest —
     * Marathon's apps, the other service's part — as usual; {@code scale nodeapp 3} (hostname:UNIQUE: it reads the
     * Mesos agents before it plans) is refused naming Mesos and writes nothing. Nothing may throw.
     */
    @Test
    void mesosAndWeaveFaultsAreNamedAndTheRestOfTheAnswerIsKept() throws Exception {
        List<String> problems = new ArrayList<>();
        List<String> figures = new ArrayList<>();
        HealthReporter reporter = new HealthReporter(cluster.clients, cluster.catalog, cluster.ops, cluster.engineJournal(),
                java.time.Clock.systemUTC(), List.of());
        for (String service : List.of("mesos", "weave")) {
            String named = service.equals("mesos") ? "Mesos" : "Weave";
            String other = service.equals("mesos") ? "Weave" : "Mesos";
            // bounded: each kind at least once (a hang of Mesos, answered by status); long: every kind of each, every answer
            for (String kind : LONG || service.equals("mesos") ? List.of("status", "malformed", "hang") : List.of("status", "malformed")) {
                cluster.delete("/_sim/faults");
                awaitSettled();
                long injectedBefore = faultsInjected();
                long writesBefore = writesTotal();
                String extra = kind.equals("status") ? ", \"status\": 503" : kind.equals("hang") ? ", \"hangMillis\": " + HANG_MILLIS : "";
                cluster.control("/_sim/faults", "{\"service\": \"" + service + "\", \"kind\": \"" + kind + "\"" + extra
                        + ", \"count\": 100000}");
                String what = named + " " + kind;
                long started = System.nanoTime();
                try {
                    String overview = text(cluster.ops.status(null));
                    // a hang costs every answer the client's read timeouts (a hung Weave: 3 routers × 3 attempts × 1.5 s):
                    // the bounded suite asks status only, the long mode all three
                    Map<String, String> answers = new java.util.LinkedHashMap<>();
                    answers.put("status", overview);
                    if (!kind.equals("hang") || LONG) {
                        answers.put("status nodeapp", text(cluster.ops.status("nodeapp")));
                        answers.put("health report", reporter.build("health", java.time.Instant.now().minus(Duration.ofHours(1)),
                                java.time.ZoneOffset.UTC).toString());
                    }
                    for (Map.Entry<String, String> answer : answers.entrySet()) {
                        String t = answer.getValue();
                        // status APP reads Weave's DNS, not Mesos: it just answers
                        boolean reads = !(service.equals("mesos") && answer.getKey().equals("status nodeapp"));
                        if (reads && !failingPartNamed(t, named)) {
                            problems.add(what + ": " + answer.getKey() + " does not say " + named + " failed: " + t);
                        }
                        if (!t.contains("nodeapp")) {
                            problems.add(what + ": " + answer.getKey() + " lost Marathon's part: " + t);
                        }
                    }
                    if (kind.equals("hang") && !overview.contains("timed out: no answer for 1.5 s (the read timeout)")) {
                        // the client gave up after its 1.5 s read timeout, not the 3 minutes of a whole call
                        problems.add(what + ": status does not say the read timed out: " + overview);
                    }
                    if (!overview.contains(other.equals("Mesos") ? "node2" : "ready")) {
                        problems.add(what + ": status lost " + other + "'s part: " + overview);
                    }
                    if (service.equals("mesos") && !kind.equals("hang")) { // a hang: 4 attempts of 3 reads, each 1.5 s
                        try {
                            Outcome scaled = cluster.run(cluster.ops.scale("nodeapp", 3));
                            problems.add(what + ": scale nodeapp 3 ran without the Mesos agents: " + scaled.message());
                        } catch (OpsException refused) {
                            if (!refused.getMessage().contains("Mesos")) {
                                problems.add(what + ": scale nodeapp 3 refused without naming Mesos: " + refused.getMessage());
                            }
                        }
                        if (writesTotal() != writesBefore) {
                            problems.add(what + ": the refused scale wrote to the cluster");
                        }
                    }
                    figures.add(String.format(Locale.ROOT, "%-16s %6d ms injected=%d :: %s", what,
                            (System.nanoTime() - started) / 1_000_000, faultsInjected() - injectedBefore,
                            overview.lines().filter(l -> l.contains("unreachable")).findFirst().orElse("(no unreachable line)")));
                } catch (RuntimeException crashed) {
                    problems.add(what + ": threw " + crashed);
                } finally {
                    cluster.delete("/_sim/faults");
                }
                if (faultsInjected() == injectedBefore) {
                    problems.add(what + ": the fault never fired");
                }
            }
        }
        figures.forEach(f -> System.out.println("mesos-weave-fault " + f));
        Files.writeString(Path.of("target", "cluster-faults-mesos-weave.txt"), String.join("\n", figures) + "\n");
        assertThat(problems).isEmpty();
    }

    /**
     * {@code move mongo node3} whose Flocker move succeeds and whose Marathon pin fails for good (every PUT answered
     * 503): the data is on node3 and mongo still on node2. The operation must say exactly that — checked against the
     * sim — and how to put them together; the rerun it names then finishes the move with the pin alone (no second
     * Flocker move), after which data and app are together on node3.
     */
    @Test
    void aMoveWhosePinFailsSaysTheDataAndTheAppAreApartAndItsRerunPutsThemTogether() throws Exception {
        cluster.control("/_sim/reset", "{}");
        awaitSettled();
        String from = cluster.clients.marathon().app("/mongo", Embed.TASKS).tasks().get(0).host();
        assertThat(from).as("mongo's node before the move").isNotEqualTo("node3");
        long before = writesTotal();
        cluster.control("/_sim/faults", "{\"service\": \"marathon\", \"method\": \"PUT\", \"pathPrefix\": \"/v2/apps\", "
                + "\"kind\": \"status\", \"status\": 503, \"count\": 100000}");
        Outcome failed;
        try {
            Operation move = cluster.ops.move("mongo", "node3");
            cluster.engine.plan(move);
            failed = cluster.run(move);
        } finally {
            cluster.delete("/_sim/faults");
        }
        String ending = failed.message() + " [" + steps(failed) + "]";
        System.out.println("move-pin-fails " + ending);
        assertThat(failed.state()).as(ending).isEqualTo(Outcome.State.FAILED);
        assertThat(failed.steps().get(0).result()).as(ending).isEqualTo(StepResult.CHANGED);
        assertThat(failed.steps().get(1).result()).as(ending).isEqualTo(StepResult.FAILED);
        // what the sim says: the dataset moved, the app did not
        MoveSteps.Datasets datasets = new MoveSteps.Datasets(cluster.clients);
        String dataOn = datasets.nodeOf(datasets.statePrimary(datasets.datasetId("mongo")));
        List<String> appOn = cluster.clients.marathon().app("/mongo", Embed.TASKS).tasks().stream().map(Task::host).distinct().toList();
        assertThat(dataOn).isEqualTo("node3");
        assertThat(appOn).containsExactly(from);
        assertThat(writesSince(before)).as("writes: the Flocker move only").hasSize(1);
        assertThat(failed.steps().get(1).detail()).as(ending)
                .contains("Marathon")
                .contains("Now dataset mongo is on node3 and mongo runs on " + from + ": apart. "
                        + "`move mongo node3` again finishes the move")
                .contains("`move mongo " + from + "` puts the data back");

        // the rerun it names puts them together, with the pin alone
        long beforeRerun = writesTotal();
        Operation again = cluster.ops.move("mongo", "node3");
        cluster.engine.plan(again);
        Outcome finished = cluster.run(again);
        assertThat(finished.state()).as(finished.message() + " [" + steps(finished) + "]").isEqualTo(Outcome.State.SUCCEEDED);
        assertThat(finished.steps().get(0).result()).as("the dataset is already there").isEqualTo(StepResult.OK);
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> mongoOn("node3"));
        assertThat(writesSince(beforeRerun)).as("writes of the rerun: the pin only").hasSize(1);
    }

    /** A line says the service failed: "unreachable: … NAME …" or "NAME … unreachable/failed/HTTP …". */
    private static boolean failingPartNamed(String text, String service) {
        return text.lines().anyMatch(l -> l.contains(service) && (l.contains("unreachable") || l.contains("failed")
                || l.contains("HTTP 503") || l.contains("did not answer") || l.contains("malformed") || l.contains("not valid")));
    }

    private static String text(Report report) {
        StringBuilder out = new StringBuilder(report.title()).append('\n');
        for (Report.Section section : report.sections()) {
            out.append(section.heading()).append('\n');
            section.lines().forEach(l -> out.append("  ").append(l).append('\n'));
        }
        return out.toString();
    }

    private static long envLong(String name, long otherwise) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? otherwise : Long.parseLong(value.trim());
    }

    // ---- one run ------------------------------------------------------------------------------------------------

    /** The cluster before a run, for judging it after. */
    record Before(long writes, long injected, String nodeappVersion, String nodeappTag, String rollbackTo) {}

    private Run run(Scenario s) throws Exception {
        Before before = prepare(s.op());
        long started = System.nanoTime();
        Trigger trigger = s.fault().trigger() == null ? null : new Trigger(s.fault().trigger(), before.writes());
        if (s.fault().json() != null) {
            cluster.control("/_sim/faults", s.fault().json());
        }
        if (trigger != null) {
            trigger.start();
        }
        Outcome outcome = null;
        Report report = null;
        String refused = null;
        try {
            switch (s.op()) {
                case LOGS_APP -> report = cluster.ops.logs("nodeapp", null, null, null, 20);
                case LOGS_SERVICE -> report = cluster.ops.logs("docker", null, null, null, 20);
                default -> {
                    Operation op = operation(s.op(), before);
                    cluster.engine.plan(op);
                    outcome = cluster.run(op);
                }
            }
        } catch (OpsException e) {
            refused = e.getMessage();
        } finally {
            if (trigger != null) {
                trigger.stop();
            }
            cluster.delete("/_sim/faults");
        }
        long injected = faultsInjected() - before.injected() + (trigger == null ? 0 : trigger.fired());
        long external = trigger == null ? 0 : trigger.externalWrites();
        List<JsonNode> writes = writesSince(before.writes());
        long ours = writes.size() - external;
        String ending = outcome != null ? outcome.state() + ": " + outcome.message() + " [" + steps(outcome) + "]"
                : refused != null ? "REFUSED: " + refused : "REPORT: " + summary(report);
        boolean succeeded = outcome != null ? outcome.state() == Outcome.State.SUCCEEDED : refused == null;
        String text = outcome != null ? outcome.message() + " " + steps(outcome) : refused != null ? refused : "";
        boolean named = succeeded || text.contains(s.fault().service())
                || (s.fault().trigger() != null && text.contains("deployment"));
        boolean expected = switch (s.fault().expect()) {
            case SUCCEED -> succeeded;
            case GIVE_UP -> !succeeded;
            case EITHER -> true;
        };
        List<String> untrue = judge(s, before, outcome, report, refused, ours);
        Run run = new Run(s, ending, injected, ours, succeeded, expected, named, untrue);
        System.out.printf("fault-run %-12s %-42s %5d ms injected=%d writes=%d %s :: %s%n", s.op(), s.fault().name(),
                (System.nanoTime() - started) / 1_000_000, injected, ours, untrue.isEmpty() ? "TRUE" : "UNTRUE " + untrue,
                ending.length() > 600 ? ending.substring(0, 600) + "…" : ending);
        return run;
    }

    /** Back to the topology, settled, with whatever the operation needs first (rollback: a later version to leave). */
    private Before prepare(Op op) throws Exception {
        cluster.control("/_sim/reset", "{}");
        awaitSettled();
        String rollbackTo = null;
        if (op == Op.ROLLBACK) {
            rollbackTo = AppDesign.tagOf(cluster.clients.marathon().app("/nodeapp"));
            Outcome deployed = cluster.run(cluster.ops.deploy("nodeapp", "1.9", true));
            assertThat(deployed.state()).as(deployed.message()).isEqualTo(Outcome.State.SUCCEEDED);
            awaitSettled();
        }
        App nodeapp = cluster.clients.marathon().app("/nodeapp");
        return new Before(writesTotal(), faultsInjected(), nodeapp.version(), AppDesign.tagOf(nodeapp), rollbackTo);
    }

    private static Operation operation(Op op, Before before) {
        return switch (op) {
            case SCALE -> cluster.ops.scale("nodeapp", 3);
            case RESTART -> cluster.ops.restart("nodeapp");
            case DEPLOY -> cluster.ops.deploy("nodeapp", "2.0", false);
            case ROLLBACK -> cluster.ops.rollback("nodeapp", before.rollbackTo());
            case MOVE -> cluster.ops.move("mongo", "node3");
            default -> throw new IllegalArgumentException(op.name());
        };
    }

    private static void awaitSettled() {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).ignoreExceptions().until(() -> {
            JsonNode deployments = cluster.read("/v2/deployments");
            App nodeapp = cluster.clients.marathon().app("/nodeapp", Embed.COUNTS, Embed.DEPLOYMENTS);
            App mongo = cluster.clients.marathon().app("/mongo", Embed.COUNTS, Embed.DEPLOYMENTS);
            return deployments.isEmpty() && MarathonAppStep.settled(nodeapp) && MarathonAppStep.settled(mongo);
        });
    }

    // ---- the verdict --------------------------------------------------------------------------------------------

    /** What the ending says that the cluster contradicts; empty when all of it is true. */
    private List<String> judge(Scenario s, Before before, Outcome outcome, Report report, String refused, long writes)
            throws Exception {
        List<String> untrue = new ArrayList<>();
        if (report != null) {
            boolean read = report.sections().stream().anyMatch(sec -> !sec.lines().isEmpty());
            if (!read) {
                untrue.add("a report without lines");
            }
            if (writes != 0) {
                untrue.add("logs wrote to the cluster");
            }
            return untrue;
        }
        if (refused != null) {
            if (writes != 0) {
                untrue.add("refused before it ran, yet the cluster took " + writes + " write(s)");
            }
            return untrue;
        }
        // a push is a write to the registry, which the sim's write log (Marathon, Flocker) does not hold: its CHANGED
        // is checked against the registry itself
        long changed = outcome.steps().stream()
                .filter(r -> r.result() == StepResult.CHANGED && !r.description().startsWith("push ")).count();
        boolean pushed = outcome.steps().stream()
                .anyMatch(r -> r.result() == StepResult.CHANGED && r.description().startsWith("push "));
        if (pushed && cluster.clients.registry().manifestDigest("nodeapp", "2.0").isEmpty()) {
            untrue.add("says it pushed nodeapp:2.0 but the registry does not have it");
        }
        if (outcome.state() == Outcome.State.SUCCEEDED) {
            String where = reached(s.op(), before);
            if (where != null) {
                untrue.add("succeeded but " + where);
            }
            long needed = s.op() == Op.MOVE ? 2 : 1;
            if (writes != needed) {
                untrue.add("the cluster took " + writes + " write(s) for a change that needs " + needed
                        + (writes > needed ? " (duplicated)" : " (credited without a write)"));
            }
            if (changed == 0) {
                untrue.add("succeeded without a CHANGED step although the cluster took " + writes + " write(s)");
            }
            return untrue;
        }
        // FAILED, CANCELLED or REFUSED: what it claims to have changed must be what the cluster took
        if (writes == 0 && changed > 0) {
            untrue.add("a step says CHANGED but the cluster took no write");
        }
        if (writes > 0 && changed == 0 && !saysWritten(outcome)) {
            untrue.add("the cluster took " + writes + " write(s) but the ending does not say so");
        }
        Matcher asked = Pattern.compile("is now asked to run (\\d+) instance").matcher(outcome.message());
        if (asked.find()) {
            int instances = cluster.clients.marathon().app("/nodeapp").instances();
            if (instances != Integer.parseInt(asked.group(1))) {
                untrue.add("says nodeapp is asked to run " + asked.group(1) + " but Marathon has " + instances);
            }
        }
        Matcher back = Pattern.compile("is back on version (\\S+) and healthy").matcher(outcome.message());
        if (back.find()) {
            App now = cluster.clients.marathon().app(s.op() == Op.MOVE ? "/mongo" : "/nodeapp");
            String tag = AppDesign.tagOf(now);
            if (!back.group(1).equals(tag) && !back.group(1).equals(now.version())) {
                untrue.add("says back on " + back.group(1) + " but " + now.id() + " runs " + tag);
            }
        }
        return untrue;
    }

    /** A failure whose text owns up to a write that reached the cluster. */
    private static boolean saysWritten(Outcome outcome) {
        String all = outcome.message() + " " + steps(outcome);
        return all.contains("Rolled back") || all.contains("reached the cluster") || all.contains("rollback to version");
    }

    /** Null when the cluster is where the operation asked; else what differs. */
    private static String reached(Op op, Before before) {
        App nodeapp = cluster.clients.marathon().app("/nodeapp", Embed.TASKS, Embed.COUNTS, Embed.DEPLOYMENTS);
        return switch (op) {
            case SCALE -> nodeapp.instances() == 3 && nodeapp.tasksHealthy() == 3 ? null
                    : "nodeapp has " + nodeapp.instances() + " instances, " + nodeapp.tasksHealthy() + " healthy";
            case RESTART -> !nodeapp.version().equals(before.nodeappVersion()) && nodeapp.tasks().stream()
                    .filter(Task::isRunning).allMatch(t -> t.version().compareTo(nodeapp.version()) >= 0)
                    && nodeapp.tasksHealthy() >= nodeapp.instances() ? null : "nodeapp's tasks are not all restarted";
            case DEPLOY -> "2.0".equals(AppDesign.tagOf(nodeapp)) && nodeapp.tasksHealthy() >= nodeapp.instances()
                    ? null : "nodeapp runs " + AppDesign.tagOf(nodeapp);
            case ROLLBACK -> before.rollbackTo().equals(AppDesign.tagOf(nodeapp)) && nodeapp.tasksHealthy() >= nodeapp.instances()
                    ? null : "nodeapp runs " + AppDesign.tagOf(nodeapp) + ", not " + before.rollbackTo();
            case MOVE -> mongoOn("node3") ? null : "mongo or its dataset is not on node3";
            default -> null;
        };
    }

    private static boolean mongoOn(String node) {
        App mongo = cluster.clients.marathon().app("/mongo", Embed.TASKS);
        MoveSteps.Datasets datasets = new MoveSteps.Datasets(cluster.clients);
        String primary = datasets.statePrimary(datasets.datasetId("mongo"));
        return datasets.uuidOf(node).equals(primary) && !mongo.tasks().isEmpty()
                && mongo.tasks().stream().allMatch(t -> node.equals(t.host()));
    }

    // ---- the sim's record ---------------------------------------------------------------------------------------

    private static long writesTotal() throws IOException {
        return cluster.read("/_sim/writes").path("total").asLong();
    }

    private static List<JsonNode> writesSince(long after) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        cluster.read("/_sim/writes?after=" + after).path("writes").forEach(out::add);
        return out;
    }

    private static long faultsInjected() throws IOException {
        return cluster.read("/_sim/faults").path("total").asLong();
    }

    private static String steps(Outcome outcome) {
        return String.join(" | ", outcome.steps().stream()
                .map(r -> r.result() + " " + r.description() + ": " + r.detail()).toList());
    }

    private static String summary(Report report) {
        return report.title() + " (" + report.sections().size() + " sections, " + report.lineCount() + " lines)";
    }

    /**
     * Makes an event happen once the operation's first write reached the cluster: the event stream dropped, the
     * deployment cancelled (DELETE /v2/deployments/ID, which Marathon answers with a rollback deployment), or an
     * agent running a task of the app taken down.
     */
    static final class Trigger {
        private final String kind;
        private final long writesBefore;
        private final AtomicLong external = new AtomicLong();
        private final AtomicLong fired = new AtomicLong();
        private volatile boolean stopped;
        private Thread thread;
        private volatile String agentDown;

        Trigger(String kind, long writesBefore) {
            this.kind = kind;
            this.writesBefore = writesBefore;
        }

        void start() {
            thread = new Thread(this::watch, "fault-trigger");
            thread.setDaemon(true);
            thread.start();
        }

        private void watch() {
            try {
                List<JsonNode> writes = List.of();
                while (!stopped && writes.isEmpty()) {
                    writes = writesSince(writesBefore).stream()
                            .filter(w -> w.path("kind").asText().equals("marathon")).toList();
                    if (writes.isEmpty()) {
                        Thread.sleep(20); // polling the sim's record, not waiting for a result
                    }
                }
                if (stopped) {
                    return;
                }
                JsonNode write = writes.get(0);
                switch (kind) {
                    case "drop-stream" -> cluster.control("/_sim/faults", "{\"kind\": \"drop-stream\", \"count\": 1}");
                    case "cancel" -> {
                        long at = writesTotal();
                        cluster.delete("/v2/deployments/" + write.path("deploymentId").asText());
                        external.addAndGet(writesTotal() - at);
                        fired.incrementAndGet();
                    }
                    case "agent-down" -> {
                        String app = write.path("target").asText();
                        App running = cluster.clients.marathon().app(app, Embed.TASKS);
                        String host = running.tasks().isEmpty() ? "node3" : running.tasks().get(0).host();
                        cluster.control("/_sim/agents/" + host + "/down", "{}");
                        agentDown = host;
                        fired.incrementAndGet();
                    }
                    default -> throw new IllegalArgumentException(kind);
                }
            } catch (IOException | RuntimeException e) {
                throw new IllegalStateException("the fault trigger failed", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        void stop() throws Exception {
            stopped = true;
            thread.join(10_000);
            if (agentDown != null) {
                cluster.control("/_sim/agents/" + agentDown + "/up", "{}");
            }
        }

        long externalWrites() {
            return external.get();
        }

        /** Events the sim does not count as faults itself (drop-stream it counts). */
        long fired() {
            return fired.get();
        }
    }

    // ---- figures ------------------------------------------------------------------------------------------------

    private static String figures(long seed) {
        Map<String, long[]> byFault = new TreeMap<>();
        for (Run r : runs) {
            long[] f = byFault.computeIfAbsent(r.scenario().fault().service() + ": "
                    + r.scenario().fault().name().replaceAll(" x\\d+", "").replaceAll(" (plan|apply|verify)$", ""), k -> new long[5]);
            f[0]++;
            f[1] += r.injected();
            f[2] += r.succeeded() ? 1 : 0;
            f[3] += r.trueEnding() ? 1 : 0;
            f[4] += r.expected() ? 1 : 0;
        }
        StringBuilder sb = new StringBuilder("cluster faults (seed " + seed + ")\n");
        sb.append(String.format("%-60s %5s %9s %10s %6s %9s%n", "fault", "runs", "injected", "succeeded", "true", "expected"));
        byFault.forEach((k, f) -> sb.append(String.format("%-60s %5d %9d %10d %6d %9d%n", k, f[0], f[1], f[2], f[3], f[4])));
        long total = runs.size();
        long injected = runs.stream().mapToLong(Run::injected).sum();
        long succeeded = runs.stream().filter(Run::succeeded).count();
        long gaveUp = total - succeeded;
        long trueEndings = runs.stream().filter(Run::trueEnding).count();
        long writes = runs.stream().mapToLong(Run::writes).sum();
        sb.append(String.format("runs %d, faults injected %d, writes %d, succeeded %d, gave up %d (naming the service: %d),"
                        + " true endings %d of %d, as expected %d%n", total, injected, writes, succeeded, gaveUp,
                runs.stream().filter(r -> !r.succeeded() && r.serviceNamed()).count(), trueEndings, total,
                runs.stream().filter(Run::expected).count()));
        return sb.toString();
    }

    static {
        // target/ exists when Maven runs the test; the figures file is written there
        try {
            Files.createDirectories(Path.of("target"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
