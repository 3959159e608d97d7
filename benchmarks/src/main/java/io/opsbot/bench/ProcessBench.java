package io.opsbot.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Items 5 and 7: whole processes from the shell, JVM start included, against a separately running
 * {@code ./opsbot sim}: {@code ./opsbot exec "deploy nodeapp --only"} (no-op and changed), {@code ./opsbot exec status},
 * and beside them an {@code ansible-playbook} that PUTs the same rendered template with the uri module, run
 * alternately. The launcher is the real {@code ./opsbot}, exactly as users call it.
 */
final class ProcessBench implements Benchmark {

    static final String APP = "nodeapp";
    private static final double TARGET_WALL_MS = 800;

    @Override
    public String item() {
        return "5, 7";
    }

    @Override
    public String title() {
        return "Whole processes: ./opsbot exec, and side by side with Ansible";
    }

    @Override
    public Duration budget() {
        return Duration.ofSeconds(120);
    }

    /** The runs of one kind: wall, CPU, max RSS, and the writes Marathon accepted during each. */
    static final class Series {
        final Stats wall = new Stats();
        final Stats cpu = new Stats();
        final List<Long> rssKb = new ArrayList<>();
        final List<Long> writes = new ArrayList<>();
        final List<Long> reads = new ArrayList<>();
        /** The deployment each run made, as the sim records it (deployment_info → deployment_success), when it made one. */
        final Stats deployment = new Stats();
        /** Wall time minus that deployment: the tool's own time around the cluster's work. */
        final Stats ownTime = new Stats();

        void deployed(Timed.Run run, long deploymentMs) {
            deployment.record(deploymentMs * 1_000_000);
            ownTime.record((long) ((run.wallMs() - deploymentMs) * 1e6));
        }

        void add(Timed.Run run, long accepted, SimApi.Requests requests) {
            wall.record((long) (run.wallMs() * 1e6));
            cpu.record((long) (run.cpuMs() * 1e6));
            rssKb.add(run.maxRssKb());
            writes.add(accepted);
            reads.add(requests.reads());
        }

        String figure() {
            return wall.minMedianMax() + "; CPU median " + Report.ms(cpu.medianMs()) + "; max RSS median " + medianRssMiB() + " MiB";
        }

        long medianRssMiB() {
            List<Long> sorted = rssKb.stream().sorted().toList();
            return sorted.isEmpty() ? 0 : sorted.get(sorted.size() / 2) / 1024;
        }

        long totalWrites() {
            return writes.stream().mapToLong(Long::longValue).sum();
        }
    }

    @Override
    public Result run(Context ctx) throws Exception {
        int rounds = ctx.count(5, 1);
        Path dir = ctx.dir("process");
        Path repo = ctx.repo;
        Series opsNoop = new Series();
        Series ansNoop = new Series();
        Series opsStatus = new Series();
        Series opsChanged = new Series();
        Series ansChanged = new Series();
        Series ansChangedWait = new Series();
        String opsbot = repo.resolve("opsbot").toString();
        Exception stopped = null;
        try (SimProcess sim = new SimProcess(repo, dir.resolve("sim-home"));
             EventTap tap = new EventTap(sim.marathonUrl)) {
            Path config = sim.writeConfig(dir.resolve("opsbot.yaml"), ctx.apps());
            Map<String, String> env = Map.of("OPSBOT_HOME", dir.resolve("bot-home").toString(), "OPSBOT_CONFIG", "");
            String registry = sim.registryHost();
            // warm-up, not counted: the first deploy names the image by the configured registry (a change), and each
            // tool's first run fills the OS's file cache
            check(Timed.run(dir, List.of(opsbot, "exec", "--config", config.toString(), "deploy " + APP + " --only"), env, repo), null);
            check(ansible(dir, repo, sim, registry, sim.runningVersion(APP), false), null);
            sim.awaitNoDeployment("/" + APP);
            check(ansible(dir, repo, sim, registry, "bench-warm-up", true), null);
            sim.awaitNoDeployment("/" + APP);
            try {
                rounds(ctx, rounds, dir, repo, sim, tap, config, env, registry, opsbot, opsNoop, ansNoop, opsStatus, opsChanged, ansChanged,
                        ansChangedWait);
            } catch (Exception e) {
                if (java.util.stream.Stream.of(opsNoop, ansNoop, opsStatus, opsChanged, ansChanged, ansChangedWait)
                        .anyMatch(x -> x.wall.count() == 0)) {
                    throw e;
                }
                stopped = e; // stopped part-way (e.g. at the harness's hard bound): the rounds done are written
            }
        }
        Result result = result(opsNoop, ansNoop, opsStatus, opsChanged, ansChanged, ansChangedWait);
        if (stopped != null) {
            throw new PartlyRun("rounds after the " + opsNoop.wall.count() + " measured", result, stopped);
        }
        return result;
    }

    private void rounds(Context ctx, int rounds, Path dir, Path repo, SimProcess sim, EventTap tap, Path config, Map<String, String> env,
                        String registry, String opsbot, Series opsNoop, Series ansNoop, Series opsStatus, Series opsChanged,
                        Series ansChanged, Series ansChangedWait) throws Exception {
        int done = 0;
        {
            for (int r = 0; r < rounds; r++) {
                if (ctx.enough(r, 3)) {
                    break;
                }
                boolean opsbotFirst = r % 2 == 0;
                for (int turn = 0; turn < 2; turn++) {
                    if ((turn == 0) == opsbotFirst) {
                        measure(sim, opsNoop, () -> check(Timed.run(dir, List.of(opsbot, "exec", "--config", config.toString(),
                                "deploy " + APP + " --only"), env, repo), "changed=0"));
                    } else {
                        String version = sim.runningVersion(APP);
                        measure(sim, ansNoop, () -> check(ansible(dir, repo, sim, registry, version, false), null));
                        sim.awaitNoDeployment("/" + APP);
                    }
                }
                measure(sim, opsStatus, () -> check(Timed.run(dir, List.of(opsbot, "exec", "--config", config.toString(), "status"),
                        env, repo), null));
                // the changed runs: opsbot, Ansible PUT + wait, Ansible PUT only; in odd rounds the other way round, so
                // opsbot and its like-for-like Ansible run take turns to go first
                List<String> order = opsbotFirst ? List.of("opsbot", "ansible-wait", "ansible-put")
                        : List.of("ansible-put", "ansible-wait", "opsbot");
                for (String who : order) {
                    String version = "bench-" + r + "-" + who;
                    switch (who) {
                        case "opsbot" -> measureDeployment(sim, tap, opsChanged, () -> check(Timed.run(dir, List.of(opsbot, "exec",
                                "--config", config.toString(), "deploy " + APP + " --only --version " + version), env, repo), "changed=1"));
                        case "ansible-wait" -> measureDeployment(sim, tap, ansChangedWait,
                                () -> check(ansible(dir, repo, sim, registry, version, true), null));
                        default -> {
                            measure(sim, ansChanged, () -> check(ansible(dir, repo, sim, registry, version, false), null));
                            sim.awaitNoDeployment("/" + APP);
                        }
                    }
                }
                done++;
                ctx.say("items 5, 7: round " + done + " done: opsbot no-op " + opsNoop.wall.minMedianMax() + ", ansible no-op "
                        + ansNoop.wall.minMedianMax());
            }
        }
    }

    private Result result(Series opsNoop, Series ansNoop, Series opsStatus, Series opsChanged, Series ansChanged, Series ansChangedWait) {
        long done = opsNoop.wall.count();
        double noopRatio = opsNoop.wall.medianMs() / ansNoop.wall.medianMs();
        double putOnlyRatio = opsChanged.wall.medianMs() / ansChanged.wall.medianMs();
        double likeRatio = opsChanged.wall.medianMs() / ansChangedWait.wall.medianMs();
        double cpuRatio = opsNoop.cpu.medianMs() / ansNoop.cpu.medianMs();
        double ownRatio = opsChanged.ownTime.medianMs() / ansChanged.wall.medianMs();
        List<Row> rows = List.of(
                new Row("5", "`./opsbot exec \"deploy " + APP + " --only\"`, no-op, whole process", opsNoop.figure(),
                        "≤ 0.8 s wall and faster than Ansible (item 7)", Row.Verdict.of(opsNoop.wall.medianMs() <= TARGET_WALL_MS
                        && opsNoop.wall.medianMs() <= ansNoop.wall.medianMs())),
                new Row("5", "`./opsbot exec status`, whole process", opsStatus.figure(), "≤ 0.8 s wall",
                        Row.Verdict.of(opsStatus.wall.medianMs() <= TARGET_WALL_MS)),
                new Row("7", "no-op: `ansible-playbook` PUT of the rendered template", ansNoop.figure(), "—", Row.Verdict.NONE),
                new Row("7", "no-op: opsbot ÷ Ansible, median wall (CPU)", ratio(noopRatio) + " (" + ratio(cpuRatio) + ")", "≤ 1×",
                        Row.Verdict.of(noopRatio <= 1)),
                new Row("7", "changed (a new image tag): `./opsbot exec \"deploy " + APP + " --only --version V\"`, until healthy",
                        opsChanged.figure() + "; the deployment itself (sim) median " + Report.ms(opsChanged.deployment.medianMs()),
                        "—", Row.Verdict.NONE),
                new Row("7", "changed: `ansible-playbook` PUT, then polls `/v2/deployments` every " + ANSIBLE_POLL_SECONDS
                        + " s until none is left for the app (as the `marathon-app` role waits)", ansChangedWait.figure()
                        + "; the deployment itself (sim) median " + Report.ms(ansChangedWait.deployment.medianMs()), "—", Row.Verdict.NONE),
                new Row("7", "changed, like for like (both wait for the deployment): opsbot ÷ Ansible PUT + wait, median wall",
                        ratio(likeRatio), "≤ 1×", Row.Verdict.of(likeRatio <= 1)),
                new Row("7", "changed: `ansible-playbook` PUT only (returns once Marathon took it; does not wait)", ansChanged.figure(),
                        "—", Row.Verdict.NONE),
                new Row("7", "changed: opsbot (until healthy) ÷ Ansible PUT only, median wall — not like for like", ratio(putOnlyRatio),
                        "— (Ansible does not wait: see the like-for-like row)", Row.Verdict.NONE),
                new Row("7", "changed: opsbot's own time (wall − its deployment's duration in the sim) vs Ansible's PUT-only wall",
                        "opsbot median " + Report.ms(opsChanged.ownTime.medianMs()) + " (min " + Report.ms(opsChanged.ownTime.minMs())
                                + ", max " + Report.ms(opsChanged.ownTime.maxMs()) + "); Ansible PUT-only median "
                                + Report.ms(ansChanged.wall.medianMs()) + ": " + ratio(ownRatio) + "; Ansible PUT + wait's own time median "
                                + Report.ms(ansChangedWait.ownTime.medianMs()), "—", Row.Verdict.NONE),
                new Row("7", "Marathon versions written by the no-op runs (`/_sim/writes`)", "Ansible " + ansNoop.totalWrites() + " in "
                        + ansNoop.wall.count() + " runs; opsbot " + opsNoop.totalWrites() + " in " + opsNoop.wall.count() + " runs",
                        "opsbot 0", Row.Verdict.of(opsNoop.totalWrites() == 0)));
        return new Result(rows, List.of(
                "`./opsbot sim --port 0 --reset` runs as a process of its own (its own `OPSBOT_HOME`); an `opsbot.yaml` names "
                        + "its endpoints (`GET /_sim/endpoints`) and the repository's catalog. Each measured command is a new "
                        + "process started as a user's shell starts it — `./opsbot exec --config opsbot.yaml \"deploy " + APP
                        + " --only\"` through the real launcher, JVM start included — under GNU time (`/usr/bin/time -f \"%e %U %S %M\"`): "
                        + "wall time from fork to exit, CPU = user + system of the process and its children, max RSS. "
                        + done + " rounds; in each, the no-op pair runs alternately (opsbot first in even rounds, Ansible first in odd "
                        + "ones), then `exec status`, then the three changed runs — opsbot, Ansible PUT + wait, Ansible PUT only in even "
                        + "rounds, the other way round in odd ones. One warm-up run of each tool is not counted.",
                "The Ansible side is `benchmarks/ansible/put-template.yml`: it renders `config/apps/" + APP + "/marathon.json.j2` with "
                        + "`vagrant/ansible/tasks/render-app.yml` (the same variables as opsbot's renderer: `vagrant/check.sh` "
                        + "compares the two) and PUTs it with `ansible.builtin.uri`, as the original framework pushed a Marathon "
                        + "job — no comparison first. (The repository's own `marathon-app` role now compares before it PUTs.) "
                        + "For the no-op case the running version is passed, so the definition is the same; for the changed case a "
                        + "new tag each time.",
                "**What each changed row measures.** `opsbot exec \"deploy " + APP + " --only --version V\"` returns when the "
                        + "deployment is done and the tasks are healthy. *Ansible PUT + wait* (`wait_for_deployment: true`) does what "
                        + "the repository's `marathon-app` role does after its PUT: it reads `/v2/deployments` until no deployment "
                        + "names the app — every " + ANSIBLE_POLL_SECONDS + " s here (the role polls every 5 s; 1 s so as not to "
                        + "handicap Ansible: it overshoots the deployment's end by up to " + ANSIBLE_POLL_SECONDS + " s); that is the "
                        + "like-for-like comparison, and its ratio carries the target. *Ansible PUT only* returns as soon as Marathon "
                        + "accepted the PUT and says nothing of the outcome; its row and ratio are kept for comparison with earlier "
                        + "runs, and are not like for like (the harness waits, untimed, for that deployment to end before the next run).",
                "**opsbot's own time** in the changed case is its wall time minus its deployment's duration as the emulated "
                        + "cluster records it (the timestamps of the deployment's first `deployment_info` and of its "
                        + "`deployment_success` on Marathon's event stream, which the harness listens to): what opsbot spends "
                        + "around the cluster's work — JVM start, configuration, reads, the PUT, hearing the end, checking the "
                        + "tasks' health, the journal. It is compared with the whole of Ansible's PUT-only run, which does only "
                        + "the part before the deployment. Median deployment: opsbot's " + Report.ms(opsChanged.deployment.medianMs())
                        + ", Ansible's " + Report.ms(ansChangedWait.deployment.medianMs()) + " (the same change, the same sim).",
                "**Marathon writes**: every Ansible run stores a new Marathon version and starts a deployment, even when "
                        + "nothing changed (" + ansNoop.totalWrites() + " versions in " + ansNoop.wall.count() + " no-op runs); "
                        + "opsbot compares first and wrote " + opsNoop.totalWrites() + " in " + opsNoop.wall.count()
                        + " no-op runs. HTTP reads per no-op run (the sim's request counter): opsbot median "
                        + median(opsNoop.reads) + ", Ansible median " + median(ansNoop.reads) + "."));
    }

    private static String ratio(double r) {
        return String.format(Locale.ROOT, "%.2f×", r);
    }

    private static long median(List<Long> values) {
        List<Long> sorted = values.stream().sorted().toList();
        return sorted.isEmpty() ? 0 : sorted.get(sorted.size() / 2);
    }

    @FunctionalInterface
    private interface Measured {
        Timed.Run run() throws Exception;
    }

    private static Timed.Run measure(SimProcess sim, Series series, Measured what) throws Exception {
        long writesBefore = sim.api.writes();
        SimApi.Requests before = sim.api.requests();
        Timed.Run run = what.run();
        series.add(run, sim.api.writes() - writesBefore, sim.api.requests().minus(before));
        return run;
    }

    /**
     * A run that returns once its deployment is over (opsbot's changed deploy, Ansible's PUT + wait): measured as
     * {@link #measure}, and its deployment's own duration taken from the sim's events (deployment_info →
     * deployment_success, the cluster's clock, which follows the wall clock), so that the tool's own time is its wall
     * time minus the cluster's work.
     */
    private static void measureDeployment(SimProcess sim, EventTap tap, Series series, Measured what) throws Exception {
        java.util.Set<String> before = tap.successes().keySet();
        Timed.Run run = measure(sim, series, what);
        Map<String, Long> ended = Waits.get("the deployment_success of " + run.command() + " on Marathon's event stream",
                Duration.ofSeconds(30), () -> {
                    Map<String, Long> now = new java.util.HashMap<>(tap.successes());
                    now.keySet().removeAll(before);
                    return now.isEmpty() ? null : now;
                });
        long deploymentMs = 0;
        for (Map.Entry<String, Long> e : ended.entrySet()) {
            Long started = tap.startedAt(e.getKey());
            if (started == null) {
                throw new IllegalStateException("deployment " + e.getKey() + " ended, but its deployment_info was not heard");
            }
            deploymentMs += e.getValue() - started;
        }
        series.deployed(run, deploymentMs);
    }

    /** Seconds between two reads of /v2/deployments when Ansible waits (the marathon-app role waits 5). */
    static final int ANSIBLE_POLL_SECONDS = 1;

    /** The playbook; with {@code wait}, it then waits until Marathon has no deployment of the app, as the marathon-app role does. */
    private static Timed.Run ansible(Path dir, Path repo, SimProcess sim, String registry, String version, boolean wait) throws Exception {
        String vars = "{\"repo_dir\": \"" + repo + "\", \"marathon_url\": \"" + sim.marathonUrl + "\", \"registry_host\": \""
                + registry + "\", \"app_name\": \"" + APP + "\", \"app_version\": \"" + version + "\", \"wait_for_deployment\": "
                + wait + ", \"deployment_poll_seconds\": " + ANSIBLE_POLL_SECONDS + "}";
        return Timed.run(dir, List.of("ansible-playbook", "-i", "localhost,", repo.resolve("benchmarks/ansible/put-template.yml").toString(),
                        "-e", vars),
                Map.of("ANSIBLE_RETRY_FILES_ENABLED", "false", "ANSIBLE_LOCALHOST_WARNING", "false",
                        "ANSIBLE_INVENTORY_UNPARSED_WARNING", "false", "ANSIBLE_NOCOLOR", "true"), repo);
    }

    /** The run must have succeeded (and, when given, its output must contain {@code expect}). */
    private static Timed.Run check(Timed.Run run, String expect) {
        if (run.exit() != 0 || (expect != null && !run.stdout().contains(expect))) {
            throw new IllegalStateException(run.command() + " exited " + run.exit() + (expect == null ? "" : " (expected " + expect + ")")
                    + ":\n" + tail(run.stdout()) + "\n" + tail(run.stderr()));
        }
        return run;
    }

    static String tail(String s) {
        return s.length() > 2000 ? "…" + s.substring(s.length() - 2000) : s;
    }
}
