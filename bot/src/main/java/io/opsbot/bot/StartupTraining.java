package io.opsbot.bot;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.opsbot.catalog.AppCatalog;
import io.opsbot.config.OpsbotConfig;
import io.opsbot.sim.Sim;
import io.opsbot.sim.SimEndpoints;
import io.opsbot.sim.SimOptions;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The training run of the start-up archive: the launcher runs it once per jar and JDK with
 * {@code -XX:ArchiveClassesAtExit}, so the classes that {@code opsbot exec} loads are archived (class-data sharing)
 * and later runs map them instead of reading, parsing and verifying them again.
 *
 * <p>It runs what users run, against an emulated cluster of its own in a scratch folder (never $OPSBOT_HOME): exec
 * with a configuration file (status, a deploy that changes the app and the same deploy again, which changes nothing),
 * and exec on the local default; then the long-running Slack bot's start ({@link SlackTraining}: HTTP mode against a
 * fake Slack Web API on loopback, signed slash commands answered, a clean stop), so that {@code ./opsbot --config}'s
 * start maps Bolt's, the HTTP server's and Quartz's classes too. Its output is thrown away; it exits 0 when every
 * command ended as expected, else 1, and a run that lasts longer than {@link #BOUND} is halted (no archive is written
 * then): either way the launcher keeps running without an archive.
 */
public final class StartupTraining {

    /** The longest a training run may take (a few seconds on an idle machine, well under a minute on a busy one). */
    static final java.time.Duration BOUND = java.time.Duration.ofMinutes(4);

    private StartupTraining() {
    }

    /** @param args the scratch folder (created, then deleted) */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: StartupTraining SCRATCH_FOLDER");
            System.exit(2);
        }
        Path scratch = Files.createDirectories(Path.of(args[0]));
        haltAfter(BOUND);
        PrintStream out = System.out;
        PrintStream err = System.err;
        int failures;
        try {
            System.setOut(new PrintStream(OutputStream.nullOutputStream(), true));
            System.setErr(new PrintStream(OutputStream.nullOutputStream(), true));
            failures = train(scratch);
        } finally {
            System.setOut(out);
            System.setErr(err);
            deleteQuietly(scratch);
        }
        if (failures > 0) {
            err.println("opsbot: the start-up archive's training run had " + failures + " unexpected exit statuses");
        }
        System.exit(failures == 0 ? 0 : 1);
    }

    /** @return how many commands did not end with the exit status expected of them */
    static int train(Path scratch) throws IOException {
        int failures = 0;
        // an exec logs through OneShotLogProvider, not through this JVM's Logback: one line through it (to the
        // scratch folder's logs, which the launcher names) puts its classes in the archive
        io.opsbot.bot.log.OneShotLogProvider oneShot = new io.opsbot.bot.log.OneShotLogProvider();
        oneShot.initialize();
        oneShot.getLoggerFactory().getLogger(StartupTraining.class.getName()).info("event=archive-training {}", "one-shot");
        Path withConfig = Files.createDirectories(scratch.resolve("config"));
        AppCatalog catalog = AppCatalog.load(Opsbot.appsDir(OpsbotConfig.empty()));
        Path simHome = withConfig.resolve("sim");
        SimOptions options = new SimOptions(simHome, 0, LocalCluster.writeTopology(simHome, catalog),
                SimOptions.DEFAULT_TIME_SCALE * 10, false);
        try (Sim sim = Sim.start(options)) {
            Path config = writeConfig(withConfig, sim.endpoints());
            System.setProperty("opsbot.home", withConfig.toString());
            failures += expect(0, "exec", "--config", config.toString(), "status");
            // the configured registry differs from the one the catalog was seeded with: the first deploy changes
            // the app (PUT, deployment watch, events), the second finds nothing to do
            failures += expect(0, "exec", "--config", config.toString(), "deploy nodeapp --only");
            failures += expect(0, "exec", "--config", config.toString(), "deploy nodeapp --only");
            failures += expect(0, "exec", "--config", config.toString(), "history nodeapp");
            failures += trainSlackBot(scratch, sim.endpoints());
        }
        // the local default: the emulated cluster in-process
        System.setProperty("opsbot.home", Files.createDirectories(scratch.resolve("local")).toString());
        failures += expect(0, "exec", "status");
        failures += expect(2, "exec", "deploy nodap");
        return failures;
    }

    /** The long-running Slack bot's start, commands and stop, with a journal and logs in the scratch folder. */
    static int trainSlackBot(Path scratch, SimEndpoints endpoints) throws IOException {
        Path dir = Files.createDirectories(scratch.resolve("slack"));
        try (SlackTraining slack = new SlackTraining()) {
            Map<String, Object> yaml = new LinkedHashMap<>(Map.of("cluster", cluster(endpoints)));
            yaml.put("slack", slack.slackSection());
            yaml.put("access", slack.accessSection());
            Path config = dir.resolve("opsbot.yaml");
            new ObjectMapper(new YAMLFactory()).writeValue(config.toFile(), yaml);
            return slack.train(config, dir, java.util.List.of("help", "status"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        } catch (RuntimeException e) {
            e.printStackTrace();
            return 1;
        }
    }

    /** A watchdog: a training run that hangs is halted, so the JVM writes no archive and the launcher goes on without. */
    private static void haltAfter(java.time.Duration bound) {
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(bound.toMillis());
            } catch (InterruptedException e) {
                return;
            }
            Runtime.getRuntime().halt(3);
        }, "training-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
    }

    private static int expect(int status, String... args) {
        return Main.execute(args) == status ? 0 : 1;
    }

    /** An opsbot.yaml whose cluster section points at the emulated cluster's endpoints. */
    private static Path writeConfig(Path dir, SimEndpoints e) throws IOException {
        Path file = dir.resolve("opsbot.yaml");
        new ObjectMapper(new YAMLFactory()).writeValue(file.toFile(), Map.of("cluster", cluster(e)));
        return file;
    }

    private static Map<String, Object> cluster(SimEndpoints e) {
        Map<String, Object> cluster = new LinkedHashMap<>();
        cluster.put("marathon", Map.of("url", e.marathonUrl()));
        cluster.put("mesos", Map.of("url", e.mesosUrl()));
        cluster.put("flocker", Map.of("url", e.flockerUrl(), "ca", e.flockerCa().toString(),
                "cert", e.flockerCert().toString(), "key", e.flockerKey().toString()));
        cluster.put("registry", Map.of("url", e.registryUrl()));
        cluster.put("weave", Map.of("urls", e.weaveUrls()));
        cluster.put("ssh", Map.of("user", e.sshUser(), "key", e.sshKey().toString(), "ports", e.sshPorts()));
        cluster.put("nodes", e.nodeAddresses());
        cluster.put("emulated", true);
        return cluster;
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException | UncheckedIOException e) {
            // a scratch folder under the archive's own temporary folder: the launcher removes it too
        }
    }
}
