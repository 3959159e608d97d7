package io.opsbot.bot;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.opsbot.bot.command.CommandParser;
import io.opsbot.bot.command.Flag;
import io.opsbot.bot.command.VerbSpec;
import io.opsbot.bot.command.Words;
import io.opsbot.bot.fuzz.FuzzTally;
import io.opsbot.catalog.AppCatalog;
import io.opsbot.engine.ProgressListener;
import io.opsbot.sim.Sim;
import io.opsbot.sim.SimEndpoints;
import io.opsbot.sim.SimOptions;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Hostile arguments in every position of every command — shell syntax, path traversal, Unicode look-alikes, bidi
 * controls, NUL, line breaks, a 100 KB word — through the whole pipeline (parser, dispatcher, engine, clients) against
 * the emulated cluster's HTTP APIs and the REAL sshd of {@code .ci/services.sh}, logged in with the key whose
 * {@code authorized_keys} entry records every command sshd runs ({@code OPSBOT_TEST_SSH_RECORDED_KEY},
 * {@code OPSBOT_TEST_SSH_COMMAND_LOG}). Each is rejected with a specific message or kept literal, and the record
 * proves it: the cluster saw no write, no HTTP path carried hostile text, and every command sshd ran is one of the
 * fixed table's, with the person's text inside single quotes; no file the payloads try to create exists.
 */
class HostileArgumentsTest {

    private static final Path REPO_APPS = Path.of("..", "config", "apps").toAbsolutePath().normalize();
    private static final String ID = UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    private static final String PWNED = "/tmp/opsbot-pwned-" + ID;

    /** Every command sshd may run for opsbot: the fixed table of RemoteCommand, the person's text single-quoted. */
    private static final String QUOTED = "'(?:[^']|'\\\\'')*'";
    private static final Pattern ALLOWED_REMOTE = Pattern.compile(
            "journalctl --no-pager --output=short-iso --unit='[A-Za-z0-9][A-Za-z0-9@._:-]*'( '--since=-[0-9]+s')?"
                    + "( --lines=[0-9]+| \\| grep --fixed-strings( --ignore-case)? " + QUOTED + " \\| tail --lines=[0-9]+)"
            + "|tail -n [0-9]+ -- '/[A-Za-z0-9._/-]+'"
            + "|grep --fixed-strings( --ignore-case)? " + QUOTED + " -- '/[A-Za-z0-9._/-]+' \\| tail --lines=[0-9]+"
            + "|curl --silent --show-error --max-time 5 --header 'Accept: [a-z/]+' 'http://127\\.0\\.0\\.1:6784/[a-z/]+'");

    static final List<String> HOSTILE = List.of(
            "$(touch " + PWNED + ")", "`touch " + PWNED + "-b`", "; touch " + PWNED + "-c", "| touch " + PWNED + "-d",
            "&& touch " + PWNED + "-e", "'; touch " + PWNED + "-f; echo '", "\"; touch " + PWNED + "-g; \"",
            "\\'; touch " + PWNED + "-h #", "../../../../etc/passwd", "/etc/shadow", "nodeаpp", "ｎｏｄｅａｐｐ",
            "\u202Enodeapp", "node\u20662\u2069", "nodeapp\u0000; touch " + PWNED + "-i", "a\ntouch " + PWNED + "-j",
            "x".repeat(100_000), "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "*", "-rf", "--lines=99999", "$HOME", "${IFS}id");

    static Sim sim;
    static Opsbot bot;
    static String simBase;
    static Path commandLog;
    static final ListAppender<ILoggingEvent> calls = new ListAppender<>();

    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        String key = System.getenv("OPSBOT_TEST_SSH_RECORDED_KEY");
        String log = System.getenv("OPSBOT_TEST_SSH_COMMAND_LOG");
        String knownHosts = System.getenv("OPSBOT_TEST_SSH_KNOWN_HOSTS");
        boolean ci = "true".equals(System.getenv("CI"));
        if (key == null || log == null || knownHosts == null || System.getenv("OPSBOT_TEST_SSH_PORT") == null) {
            String why = "OpenSSH test server with a command record missing: OPSBOT_TEST_SSH_RECORDED_KEY,"
                    + " OPSBOT_TEST_SSH_COMMAND_LOG, OPSBOT_TEST_SSH_KNOWN_HOSTS and OPSBOT_TEST_SSH_PORT come from"
                    + " .ci/services.sh";
            if (ci) {
                throw new IllegalStateException(why);
            }
            Assumptions.abort(why);
        }
        commandLog = Path.of(log);
        assertThat(commandLog).as("the record of commands sshd ran").isReadable();
        AppCatalog catalog = AppCatalog.load(REPO_APPS);
        Path simHome = dir.resolve("sim");
        sim = Sim.start(new SimOptions(simHome, 0, LocalCluster.writeTopology(simHome, catalog), 20, true));
        SimEndpoints e = sim.endpoints();
        simBase = e.marathonUrl().replaceAll("/+$", "");
        Map<String, Object> cluster = new LinkedHashMap<>();
        cluster.put("emulated", true);
        cluster.put("marathon", Map.of("url", e.marathonUrl()));
        cluster.put("mesos", Map.of("url", e.mesosUrl()));
        cluster.put("flocker", Map.of("url", e.flockerUrl(), "ca", e.flockerCa().toString(), "cert",
                e.flockerCert().toString(), "key", e.flockerKey().toString()));
        cluster.put("registry", Map.of("url", e.registryUrl()));
        cluster.put("weave", Map.of("urls", e.weaveUrls()));
        // every node is the real sshd: what the bot runs "on a node" is what the record shows
        cluster.put("ssh", Map.of("user", System.getenv().getOrDefault("OPSBOT_TEST_SSH_USER", "opsbot"), "key", key,
                "knownHosts", knownHosts, "port", Integer.parseInt(System.getenv("OPSBOT_TEST_SSH_PORT"))));
        Map<String, String> nodes = new TreeMap<>();
        e.nodeAddresses().keySet().forEach(n -> nodes.put(n, System.getenv().getOrDefault("OPSBOT_TEST_SSH_HOST", "127.0.0.1")));
        cluster.put("nodes", nodes);
        Map<String, Object> yaml = new LinkedHashMap<>();
        yaml.put("cluster", cluster);
        yaml.put("apps", REPO_APPS.toString());
        yaml.put("engine", Map.of("stepTimeout", "1m", "lockWait", "5s"));
        yaml.put("alerts", Map.of("enabled", false));
        Path config = dir.resolve("opsbot.yaml");
        new ObjectMapper(new YAMLFactory()).writeValue(config.toFile(), yaml);
        bot = Opsbot.start(config, Files.createDirectories(dir.resolve("home")));
        calls.start();
        ((Logger) LoggerFactory.getLogger("io.opsbot.cluster.http.calls")).addAppender(calls);
    }

    @AfterAll
    static void stop() {
        ((Logger) LoggerFactory.getLogger("io.opsbot.cluster.http.calls")).detachAppender(calls);
        if (bot != null) {
            bot.close();
        }
        if (sim != null) {
            sim.close();
        }
    }

    @Test
    void everyCommandRejectsHostileArgumentsOrKeepsThemLiteralAndNothingUnvalidatedReachesAShellOrAClusterApi()
            throws Exception {
        CommandParser parser = bot.dispatcher().parser();
        long writesBefore = writesTotal();
        long recordFrom = Files.size(commandLog);
        int callsFrom = calls.list.size();
        FuzzTally tally = new FuzzTally("hostile-arguments");
        Map<String, int[]> perVerb = new TreeMap<>();
        List<String> literalGreps = new ArrayList<>();

        for (VerbSpec spec : parser.grammar().verbs()) {
            if (spec.name().equals("sim")) {
                continue; // the emulator's own fault switch: not a command of a real cluster
            }
            for (String text : variants(spec)) {
                Response response = tally.bounded(spec.name(), text, () -> bot.dispatcher().handle(
                        new Request(text, "hostile-test", "console", true), ProgressListener.NONE));
                int[] counts = perVerb.computeIfAbsent(spec.name(), k -> new int[2]);
                if (response instanceof Response.Rejected r) {
                    tally.rejected(spec.name(), r.message(), text);
                    counts[0]++;
                    continue;
                }
                tally.accepted(spec.name());
                counts[1]++;
                // accepted with hostile text: only where the text is data (a --grep search, a mute's target…),
                // never an operation that changed the cluster
                assertThat(response).as(text).isNotInstanceOf(Response.Finished.class);
                if (spec.name().equals("logs") && text.contains("--grep")) {
                    literalGreps.add(text);
                }
            }
        }

        tally.report();
        // the call record works: a valid status reads Marathon, and the record shows it
        int before = calls.list.size();
        assertThat(bot.dispatcher().handle(new Request("status nodeapp", "hostile-test", "console", false),
                ProgressListener.NONE)).isInstanceOf(Response.Answer.class);
        assertThat(calls.list.size()).as("cluster API calls recorded for a valid status").isGreaterThan(before);
        perVerb.forEach((verb, c) -> System.out.printf(Locale.ROOT, "  %-14s %4d rejected, %4d kept literal%n", verb, c[0], c[1]));
        assertThat(writesTotal()).as("writes the emulated cluster accepted during the hostile commands").isEqualTo(writesBefore);

        List<String> paths = calls.list.subList(callsFrom, before).stream()
                .map(ILoggingEvent::getFormattedMessage).toList();
        for (String call : paths) {
            String decoded = URLDecoder.decode(call.replace("+", "%2B"), StandardCharsets.UTF_8);
            assertThat(decoded).as("a cluster API call during the hostile commands")
                    .doesNotContain("pwned", "passwd", "shadow", "\u202E", "ｎ", "аpp", "$(", "`", "..")
                    .matches("\\p{ASCII}*");
        }

        List<String> ran = commandsRecordedSince(recordFrom);
        System.out.printf(Locale.ROOT, "hostile arguments: sshd ran %d commands, %d cluster API calls, %d logs --grep"
                + " kept literal%n", ran.size(), paths.size(), literalGreps.size());
        assertThat(literalGreps).as("some hostile searches are valid text and reach the node").isNotEmpty();
        assertThat(ran).as("the record shows the searches reached sshd").hasSizeGreaterThanOrEqualTo(literalGreps.size());
        for (String command : ran) {
            assertThat(ALLOWED_REMOTE.matcher(command).matches()).as("sshd ran %s", FuzzTally.shown(command)).isTrue();
        }
        assertThat(ran).anyMatch(c -> c.contains("--regexp=$(touch " + PWNED + ")"));
        for (String suffix : List.of("", "-b", "-c", "-d", "-e", "-f", "-g", "-h", "-i", "-j")) {
            // (bounded runs try the first two of these, $(…) and `…`, plus -f, -i and -j; long runs all)
            assertThat(Path.of(PWNED + suffix)).doesNotExist();
        }
    }

    /**
     * The command's own examples with one word at a time replaced by each hostile value, its valued flags given
     * hostile values, and hostile text appended unquoted (where the tokenizer splits it).
     */
    static Set<String> variants(VerbSpec spec) {
        Set<String> out = new LinkedHashSet<>();
        int verbWords = spec.words().size();
        // bounded: each command's first example; long mode (OPSBOT_LONG=true): all of them
        List<io.opsbot.bot.command.Example> examples = io.opsbot.bot.fuzz.LongModeTries.longMode() ? spec.examples()
                : spec.examples().subList(0, 1);
        for (var example : examples) {
            List<String> words = Words.of(example.text());
            for (String hostile : hostileValues()) {
                for (int i = verbWords; i < words.size(); i++) {
                    List<String> changed = new ArrayList<>(words);
                    changed.set(i, hostile);
                    out.add(join(changed, i));
                }
                for (Flag flag : spec.flags()) {
                    if (flag.takesValue()) {
                        out.add(example.text() + " --" + flag.name() + " " + CommandParser.quote(hostile));
                    }
                }
                out.add(example.text() + " " + hostile);
            }
        }
        return out;
    }

    /** Bounded: ten of the values, one of each kind; long mode (OPSBOT_LONG=true): all of them. */
    static List<String> hostileValues() {
        return io.opsbot.bot.fuzz.LongModeTries.longMode() ? HOSTILE
                : List.of(HOSTILE.get(0), HOSTILE.get(1), HOSTILE.get(5), HOSTILE.get(8), HOSTILE.get(10),
                        HOSTILE.get(12), HOSTILE.get(14), HOSTILE.get(15), HOSTILE.get(16), HOSTILE.get(20));
    }

    /** Words back into a line: the hostile one quoted whole, flags as flags, the rest quoted where needed. */
    private static String join(List<String> words, int hostileAt) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < words.size(); i++) {
            String w = words.get(i);
            line.append(i == 0 ? "" : " ").append(i != hostileAt && w.startsWith("--") ? w : CommandParser.quote(w));
        }
        return line.toString();
    }

    private static long writesTotal() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(simBase + "/_sim/writes"))
                .build(), HttpResponse.BodyHandlers.ofString());
        JsonNode body = new ObjectMapper().readTree(r.body());
        return body.get("total").asLong();
    }

    /** The commands sshd ran for the recorded key after {@code from} bytes of its record. */
    private static List<String> commandsRecordedSince(long from) throws Exception {
        byte[] all = Files.readAllBytes(commandLog);
        String text = new String(all, (int) Math.min(from, all.length), (int) Math.max(0, all.length - from), StandardCharsets.US_ASCII);
        List<String> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            String[] parts = line.strip().split(" ");
            if (parts.length == 2) {
                out.add(new String(Base64.getDecoder().decode(parts[1]), StandardCharsets.UTF_8));
            } else if (parts.length == 1 && !parts[0].isEmpty()) {
                out.add(""); // an empty command (an interactive login) is recorded with no text
            }
        }
        return out;
    }
}
