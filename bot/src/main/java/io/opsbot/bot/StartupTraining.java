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
 * and exec on the local default. Its output is thrown away; it exits 0 when every command ended as expected, else 1
 * (the launcher then keeps running without an archive).
 */
public final class StartupTraining {

    private StartupTraining() {
    }

    /** @param args the scratch folder (created, then deleted) */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: StartupTraining SCRATCH_FOLDER");
            System.exit(2);
        }
        Path scratch = Files.createDirectories(Path.of(args[0]));
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
        }
        // the local default: the emulated cluster in-process
        System.setProperty("opsbot.home", Files.createDirectories(scratch.resolve("local")).toString());
        failures += expect(0, "exec", "status");
        failures += expect(2, "exec", "deploy nodap");
        return failures;
    }

    private static int expect(int status, String... args) {
        return Main.execute(args) == status ? 0 : 1;
    }

    /** An opsbot.yaml whose cluster section points at the emulated cluster's endpoints. */
    private static Path writeConfig(Path dir, SimEndpoints e) throws IOException {
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
        Path file = dir.resolve("opsbot.yaml");
        new ObjectMapper(new YAMLFactory()).writeValue(file.toFile(), Map.of("cluster", cluster));
        return file;
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
