package io.opsbot.bot.slack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.opsbot.bot.Response;
import io.opsbot.config.OpsbotConfig.AccessConfig;
import io.opsbot.config.OpsbotConfig.SlackConfig;
import io.opsbot.engine.Report;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.opsbot.bot.Main;
import io.opsbot.sim.Sim;
import io.opsbot.sim.SimEndpoints;
import io.opsbot.sim.SimOptions;
import io.opsbot.testing.RealComponents;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Secrets — the Slack bot and app tokens, the signing secret, the SSH private key, the Flocker client key and the
 * journal's database password — never reach the log, chat, the journal, /metrics or a thread dump, at any log level
 * and on failures.
 */
class SecretsNotLoggedTest {

    private static final Path REPO_APPS = Path.of("..", "config", "apps").toAbsolutePath().normalize();
    private static final Duration BOUND = Duration.ofSeconds(120);
    private static final Pattern SLACK_PORT = Pattern.compile("event=slack_http_listening address=(\\S+) port=(\\d+)");
    private static final Pattern METRICS_PORT = Pattern.compile("event=metrics-endpoint bind=(\\S+) port=(\\d+)");
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    /**
     * A whole session with canary secrets: opsbot runs as its own process (./opsbot --config, at DEBUG) in Slack HTTP
     * mode against a fake Slack on loopback, the emulated cluster (Flocker over TLS with a client key), the real sshd
     * (logs with the CI key) and a PostgreSQL journal whose role has a random password. It answers commands, errors,
     * a denial, a report, an alert, /metrics and /health, bad requests; two more starts fail on a wrong database
     * password and a rejected bot token. Then everything it produced is searched for the secrets.
     */
    @Test
    void aFullSessionWithCanarySecretsLeavesNoTraceOfThemAnywhere(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        RealComponents.Postgres pg = RealComponents.postgres();
        RealComponents.Ssh ssh = RealComponents.ssh();
        // kept after the run for a look (each process's stdout, stderr and logs), made afresh for each
        Path dir = Path.of("target", "secrets-session").toAbsolutePath();
        if (Files.exists(dir)) {
            try (Stream<Path> old = Files.walk(dir)) {
                old.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        Files.createDirectories(dir);
        CanarySecrets secrets = new CanarySecrets();
        String botToken = secrets.random("slack bot token", "xoxb-");
        String appToken = secrets.random("slack app token", "xapp-");
        String signingSecret = secrets.random("slack signing secret", "");
        String dbPassword = secrets.random("database password", "pw");
        String wrongDbPassword = secrets.random("wrong database password", "pw");
        String wrongBotToken = secrets.random("rejected bot token", "xoxb-");
        secrets.keyFile("ssh private key", ssh.privateKey(), Path.of(ssh.privateKey() + ".pub"));
        String role = "opsbot_canary_" + Long.toHexString(System.nanoTime());
        long started = System.nanoTime();
        Map<String, Long> phases = new LinkedHashMap<>(); // seconds from the start, for the figures

        try (Sim sim = Sim.start(new SimOptions(tmp.resolve("sim"), 0, null, 10, true));
             FakeSlack slack = new FakeSlack();
             Database db = Database.create(pg, role, dbPassword)) {
            SimEndpoints e = sim.endpoints();
            secrets.keyFile("flocker client key", e.flockerKey(), e.flockerCert());
            slack.acceptOnlyToken(botToken);
            slack.acceptAppToken(appToken);
            int closedPort;
            try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                closedPort = socket.getLocalPort();
            }
            Map<String, Object> yaml = config(e, ssh, db, slack, closedPort);
            Path config = tmp.resolve("opsbot.yaml");
            new ObjectMapper(new YAMLFactory()).writeValue(config.toFile(), yaml);
            // the same opsbot in Socket Mode (the default): apps.connections.open with the app token, then envelopes
            // over the fake Slack's WebSocket on loopback; it does not alert (the HTTP session's bot does)
            Map<String, Object> socketYaml = new LinkedHashMap<>(yaml);
            socketYaml.put("slack", Map.of("mode", "socket", "botToken", "${SLACK_BOT_TOKEN}", "appToken", "${SLACK_APP_TOKEN}",
                    "signingSecret", "${SLACK_SIGNING_SECRET}", "apiUrl", slack.apiUrl()));
            socketYaml.remove("metrics");
            socketYaml.put("alerts", Map.of("enabled", false));
            Path socketConfig = tmp.resolve("opsbot-socket.yaml");
            new ObjectMapper(new YAMLFactory()).writeValue(socketConfig.toFile(), socketYaml);
            Map<String, String> env = new LinkedHashMap<>(Map.of("SLACK_BOT_TOKEN", botToken, "SLACK_APP_TOKEN", appToken,
                    "SLACK_SIGNING_SECRET", signingSecret, "OPSBOT_DB_PASSWORD", dbPassword));

            phases.put("set up (sim, fake Slack, role)", (System.nanoTime() - started) / 1_000_000_000);
            BotProcess bot = BotProcess.start(dir.resolve("session"), config, env);
            // alongside, two starts that fail: a wrong database password, a bot token Slack rejects
            Map<String, String> wrongDb = new LinkedHashMap<>(env);
            wrongDb.put("OPSBOT_DB_PASSWORD", wrongDbPassword);
            BotProcess badDb = BotProcess.start(dir.resolve("wrong-db-password"), config, wrongDb);
            Map<String, String> wrongToken = new LinkedHashMap<>(env);
            wrongToken.put("SLACK_BOT_TOKEN", wrongBotToken);
            BotProcess badToken = BotProcess.start(dir.resolve("rejected-bot-token"), config, wrongToken);
            BotProcess socketBot = BotProcess.start(dir.resolve("socket-mode"), socketConfig, env);
            List<String> socketAcks = new ArrayList<>();
            List<String> httpAnswers = new ArrayList<>();
            String metricsText;
            List<String> dumps = new ArrayList<>();
            try {
                Matcher slackAt = bot.awaitLog(SLACK_PORT);
                Matcher metricsAt = bot.awaitLog(METRICS_PORT);
                phases.put("opsbot serving", (System.nanoTime() - started) / 1_000_000_000);
                assertThat(slackAt.group(1)).isEqualTo("127.0.0.1");
                assertThat(metricsAt.group(1)).as("metrics bind by default").isEqualTo("127.0.0.1");
                SignedRequests requests = new SignedRequests(Integer.parseInt(slackAt.group(2)), signingSecret, slack.responseUrl());
                int metricsPort = Integer.parseInt(metricsAt.group(2));

                for (String[] command : new String[][] {
                        {"status", "UVIEW"}, {"status mongo", "UVIEW"}, {"scale nodeapp 3", "UOPS"},
                        {"logs marathon@node1 --since 5m", "UVIEW"}, {"logs weave@node3", "UVIEW"},
                        {"logs nodeapp --grep secret", "UVIEW"}, {"sacle nodeapp 3", "UOPS"},
                        {"move mongo node3", "UOPS"}, {"scale nodeapp 99", "UOPS"}, {"why nodeapp", "UVIEW"},
                        {"history", "UVIEW"}, {"what changed", "UVIEW"}, {"report now", "UOPS"},
                        {"sim fail nodeapp", "UOPS"}}) {
                    httpAnswers.add(requests.slashCommand(command[0], command[1], "C0OPS", "t-" + httpAnswers.size()).body());
                }
                await().atMost(BOUND).until(() -> slack.calls("chat.postMessage").stream()
                        .anyMatch(c -> c.param("channel").equals("C0ALERTS")));
                httpAnswers.add(requests.slashCommand("sim heal nodeapp", "UOPS", "C0OPS", "t-heal").body());
                await().atMost(BOUND).until(() -> slack.calls().stream().anyMatch(c -> c.shown().contains("scale nodeapp 3")
                        && c.shown().contains("*succeeded*")));
                await().atMost(BOUND).until(() -> slack.calls().stream().anyMatch(c -> c.shown().contains("Health report")
                        || c.param("text").contains("Health report")));
                phases.put("commands, alert and report done", (System.nanoTime() - started) / 1_000_000_000);
                // requests that fail: unsigned, wrongly signed, stale, garbage
                httpAnswers.add(requests.postSigned("text=status", SignedRequests.FORM, SignedRequests.now(), "v0=deadbeef", Map.of()).body());
                httpAnswers.add(requests.post("text=status&user_id=UVIEW", SignedRequests.FORM, SignedRequests.now() - 3600, Map.of()).body());
                httpAnswers.add(requests.post("{not json", SignedRequests.JSON, SignedRequests.now(), Map.of()).body());
                metricsText = get(metricsPort, "/metrics");
                httpAnswers.add(get(metricsPort, "/health"));
                httpAnswers.add(get(metricsPort, "/nothing-here"));
                assertThat(metricsText).contains("opsbot_commands_total");
                dumps.add(jcmd(bot.process, "Thread.print"));
                dumps.add(jcmd(bot.process, "VM.system_properties"));
                dumps.add(jcmd(bot.process, "VM.command_line"));
                assertThat(dumps.get(0)).contains("opsbot-slack-http");
                assertThat(badDb.process.waitFor(BOUND.toSeconds(), TimeUnit.SECONDS)).as("wrong password start ends").isTrue();
                assertThat(badDb.process.exitValue()).as(badDb.stderr()).isEqualTo(2);
                assertThat(badDb.stderr()).contains("password authentication failed");
                assertThat(badToken.process.waitFor(BOUND.toSeconds(), TimeUnit.SECONDS)).as("rejected token start ends").isTrue();
                assertThat(badToken.process.exitValue()).as(badToken.stderr()).isEqualTo(2);
                assertThat(badToken.stderr()).contains("Slack rejected the bot token");
                socketAcks.addAll(socketModeSession(socketBot, slack));
                dumps.add(jcmd(socketBot.process, "Thread.print"));
                dumps.add(jcmd(socketBot.process, "VM.system_properties"));
                phases.put("socket mode session done", (System.nanoTime() - started) / 1_000_000_000);
            } finally {
                bot.stop();
                badDb.stop();
                badToken.stop();
                socketBot.stop();
            }

            phases.put("dumps taken, processes stopped", (System.nanoTime() - started) / 1_000_000_000);
            // the secrets were used, not just configured: Slack calls with the token, signed commands answered, the
            // journal on the password, logs over SSH with the key, Flocker's datasets over TLS with its key
            assertThat(slack.calls()).anyMatch(c -> ("Bearer " + botToken).equals(c.authorization()));
            String sessionLog = Files.readString(bot.home.resolve("logs").resolve("opsbot.log"));
            assertThat(sessionLog).contains("text=\"logs marathon@node1 --since 5m\" outcome=answered",
                    "text=\"status mongo\" outcome=answered", "op=op-");
            assertThat(slack.calls()).anyMatch(c -> Pattern.compile("Flocker dataset mongo \\([0-9a-f]{8}\\): on node")
                    .matcher(c.shown()).find());

            // what opsbot produced
            assertThat(slack.calls("apps.connections.open")).as("Socket Mode connected with the app token")
                    .anyMatch(c -> ("Bearer " + appToken).equals(c.authorization()));
            for (BotProcess p : List.of(badDb, badToken, bot, socketBot)) {
                try (Stream<Path> files = Files.walk(p.home)) {
                    for (Path file : files.filter(Files::isRegularFile).toList()) {
                        String name = file.getFileName().toString();
                        String kind = name.equals("stdout.txt") || name.equals("stderr.txt") ? "stdout/stderr"
                                : name.endsWith(".log") ? "log files" : "other files under OPSBOT_HOME";
                        secrets.scanFile(kind, file);
                    }
                }
            }
            for (FakeSlack.Call call : slack.calls()) {
                secrets.scan("requests to the fake Slack", call.method(), call.method() + " " + call.params() + " " + call.body());
                // the bot token belongs in the Authorization header of calls to Slack, the app token in that of
                // apps.connections.open, and nowhere else
                assertThat(call.authorization()).as(call.method()).isIn(null, "Bearer " + botToken, "Bearer " + wrongBotToken,
                        call.method().equals("apps.connections.open") ? "Bearer " + appToken : "Bearer " + botToken);
            }
            for (byte[] upload : slack.uploads) {
                secrets.scan("files uploaded to Slack", "upload", new String(upload, StandardCharsets.ISO_8859_1));
            }
            for (String answer : httpAnswers) {
                secrets.scan("HTTP answers (Slack endpoint, /health)", "answer", answer);
            }
            secrets.scan("/metrics", "/metrics", metricsText);
            for (String ack : socketAcks) {
                secrets.scan("Socket Mode acks (over the WebSocket)", "ack", ack);
            }
            for (String dump : dumps) {
                secrets.scan("jcmd dumps (threads, properties)", dump.lines().findFirst().orElse(""), dump);
            }
            db.scanTextColumns(secrets);
            secrets.scan("pg_dump of the journal", role, db.dump());
        }
        String figures = secrets.figures();
        System.out.println("measured: secrets session in " + Duration.ofNanos(System.nanoTime() - started).toSeconds() + " s "
                + phases + "; scanned:\n" + figures);
        Files.writeString(Path.of("target", "secrets-session.txt"), figures);
        assertThat(secrets.placesOf("requests to the fake Slack")).isGreaterThan(10);
        assertThat(secrets.placesOf("journal text columns")).isGreaterThan(10);
        assertThat(secrets.leaks()).as("secrets found").isEmpty();
    }

    /**
     * Socket Mode: waits for the bot's WebSocket, sends slash commands (answered, an unknown verb, a denial), a mention
     * and a malformed envelope over it, waits for every ack and for the answers in the bot's log; returns the acks.
     */
    private static List<String> socketModeSession(BotProcess socketBot, FakeSlack slack) throws Exception {
        await().atMost(BOUND).until(() -> {
            if (!socketBot.process.isAlive()) {
                throw new AssertionError("the Socket Mode opsbot ended (exit " + socketBot.process.exitValue() + "): "
                        + socketBot.stderr());
            }
            return slack.socketConnected();
        });
        List<String> ids = new ArrayList<>();
        String[][] commands = {{"status", "UVIEW"}, {"status mongo", "UVIEW"}, {"logs nodeapp --grep secret", "UVIEW"},
                {"sacle nodeapp 3", "UOPS"}, {"scale nodeapp 2", "UVIEW"}};
        for (String[] c : commands) {
            String id = "env-sock-" + ids.size();
            ids.add(id);
            assertThat(slack.sendOverSocket("{\"envelope_id\":\"" + id + "\",\"type\":\"slash_commands\","
                    + "\"accepts_response_payload\":true,\"payload\":{\"token\":\"t\",\"team_id\":\"T1\","
                    + "\"team_domain\":\"t1\",\"channel_id\":\"C0SOCK\",\"channel_name\":\"ops\",\"user_id\":\"" + c[1]
                    + "\",\"user_name\":\"u\",\"command\":\"/ops\",\"text\":\"" + c[0] + "\",\"api_app_id\":\"A1\","
                    + "\"response_url\":\"" + slack.responseUrl() + "\",\"trigger_id\":\"trig-" + id + "\"}}")).isTrue();
        }
        ids.add("env-sock-mention");
        slack.sendOverSocket("{\"envelope_id\":\"env-sock-mention\",\"type\":\"events_api\",\"accepts_response_payload\":false,"
                + "\"retry_attempt\":0,\"retry_reason\":\"\",\"payload\":{\"token\":\"t\",\"team_id\":\"T1\",\"api_app_id\":\"A1\","
                + "\"type\":\"event_callback\",\"event_id\":\"EvSock1\",\"event_time\":1700000000,\"event\":{\"type\":"
                + "\"app_mention\",\"user\":\"UVIEW\",\"text\":\"<@UBOT> history\",\"ts\":\"1700000000.000100\","
                + "\"channel\":\"C0SOCK\",\"event_ts\":\"1700000000.000100\"}}}");
        // an envelope Slack never sends: its payload not an object
        slack.sendOverSocket("{\"envelope_id\":\"env-sock-bad\",\"type\":\"slash_commands\",\"payload\":\"not an object\"}");
        List<String> acks = new ArrayList<>();
        await().atMost(BOUND).until(() -> {
            for (String got; (got = slack.socketReceived.poll()) != null; ) {
                acks.add(got);
            }
            return ids.stream().allMatch(id -> acks.stream().anyMatch(a -> a.contains("\"" + id + "\"")));
        });
        Path log = socketBot.home.resolve("logs").resolve("opsbot.log");
        await().atMost(BOUND).until(() -> Files.exists(log) && Files.readString(log).contains("text=\"status mongo\" outcome=answered")
                && Files.readString(log).contains("text=\"logs nodeapp --grep secret\" outcome=answered")
                && Files.readString(log).contains("text=\"history\" outcome=answered"));
        return acks;
    }

    private static Map<String, Object> config(SimEndpoints e, RealComponents.Ssh ssh, Database db, FakeSlack slack, int closedPort) {
        Map<String, Object> cluster = new LinkedHashMap<>();
        cluster.put("emulated", true);
        cluster.put("marathon", Map.of("url", e.marathonUrl()));
        cluster.put("mesos", Map.of("url", e.mesosUrl()));
        cluster.put("flocker", Map.of("url", e.flockerUrl(), "ca", e.flockerCa().toString(), "cert", e.flockerCert().toString(),
                "key", e.flockerKey().toString()));
        cluster.put("registry", Map.of("url", e.registryUrl()));
        cluster.put("weave", Map.of("urls", e.weaveUrls()));
        // logs go over SSH to the real sshd (node1, node2); node3's port is closed: an SSH error path
        cluster.put("ssh", Map.of("user", ssh.user(), "key", ssh.privateKey().toString(), "knownHosts", ssh.knownHosts().toString(),
                "ports", Map.of("node1", ssh.port(), "node2", ssh.port(), "node3", closedPort)));
        cluster.put("nodes", new TreeMap<>(e.nodeAddresses()));
        Map<String, Object> yaml = new LinkedHashMap<>();
        yaml.put("cluster", cluster);
        yaml.put("apps", REPO_APPS.toString());
        yaml.put("journal", Map.of("url", db.url, "user", db.role, "password", "${OPSBOT_DB_PASSWORD}"));
        yaml.put("slack", Map.of("mode", "http", "port", 0, "botToken", "${SLACK_BOT_TOKEN}", "appToken", "${SLACK_APP_TOKEN}",
                "signingSecret", "${SLACK_SIGNING_SECRET}", "apiUrl", slack.apiUrl()));
        yaml.put("access", Map.of("roles", Map.of("admin", List.of("UADMIN"), "operator", List.of("UOPS"), "viewer", List.of("*"))));
        yaml.put("metrics", Map.of("port", 0));
        yaml.put("alerts", Map.of("channel", "C0ALERTS", "poll", "2s", "stable", "5s"));
        return yaml;
    }

    private String get(int port, String path) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
        return response.statusCode() + " " + response.body();
    }

    /** A heap-free text dump of the process: jcmd PID Thread.print and the like. */
    private static String jcmd(Process process, String what) throws Exception {
        Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(process.pid()), what).redirectErrorStream(true).start();
        String out = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(jcmd.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(jcmd.exitValue()).as(out).isZero();
        return what + "\n" + out;
    }

    /** opsbot as ./opsbot runs it: its own JVM, the built classes, the shipped logback.xml at DEBUG. */
    record BotProcess(Process process, Path home) {
        static BotProcess start(Path home, Path config, Map<String, String> env) throws IOException {
            Files.createDirectories(home);
            ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                    "-Dlogback.configurationFile=" + Path.of("target", "classes", "logback.xml").toAbsolutePath(),
                    Main.class.getName(), "--config", config.toString())
                    .redirectOutput(home.resolve("stdout.txt").toFile())
                    .redirectError(home.resolve("stderr.txt").toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            builder.environment().remove("OPSBOT_CONFIG");
            builder.environment().put("OPSBOT_HOME", home.toString());
            builder.environment().put("OPSBOT_LOG_DIR", home.resolve("logs").toString());
            builder.environment().put("OPSBOT_LOG_LEVEL", "DEBUG");
            builder.environment().putAll(env);
            return new BotProcess(builder.start(), home);
        }

        String stderr() throws IOException {
            return Files.readString(home.resolve("stderr.txt"));
        }

        Matcher awaitLog(Pattern pattern) {
            Path log = home.resolve("logs").resolve("opsbot.log");
            Matcher[] found = new Matcher[1];
            await().atMost(BOUND).pollInterval(Duration.ofMillis(200)).until(() -> {
                if (!process.isAlive()) {
                    throw new AssertionError("opsbot ended (exit " + process.exitValue() + "): " + stderr());
                }
                if (!Files.exists(log)) {
                    return false;
                }
                Matcher m = pattern.matcher(new String(Files.readAllBytes(log), StandardCharsets.UTF_8));
                found[0] = m.find() ? m : null;
                return found[0] != null;
            });
            return found[0];
        }

        void stop() throws InterruptedException {
            process.destroy(); // SIGTERM, as a service manager stops it
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    /** A schema owned by a throw-away role whose password is a canary; dropped with the role afterwards. */
    static final class Database implements AutoCloseable {
        final RealComponents.Postgres pg;
        final String role;
        final String password;
        final String url;

        private Database(RealComponents.Postgres pg, String role, String password) {
            this.pg = pg;
            this.role = role;
            this.password = password;
            this.url = pg.jdbcUrl() + (pg.jdbcUrl().contains("?") ? "&" : "?") + "currentSchema=" + role;
        }

        static Database create(RealComponents.Postgres pg, String role, String password) throws SQLException {
            try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password()); Statement s = c.createStatement()) {
                s.execute("CREATE ROLE " + role + " LOGIN PASSWORD '" + password + "'");
                s.execute("GRANT " + role + " TO " + pg.user());
                s.execute("CREATE SCHEMA " + role + " AUTHORIZATION " + role);
            }
            return new Database(pg, role, password);
        }

        /** Every value of every text column of every table opsbot made (journal, incidents, Quartz). */
        void scanTextColumns(CanarySecrets secrets) throws SQLException {
            try (Connection c = DriverManager.getConnection(url, role, password); Statement s = c.createStatement()) {
                List<String[]> columns = new ArrayList<>();
                try (ResultSet rs = s.executeQuery("select table_name, column_name from information_schema.columns where table_schema = '"
                        + role + "' and data_type in ('text', 'character varying', 'character', 'json', 'jsonb', 'bytea')")) {
                    while (rs.next()) {
                        columns.add(new String[] {rs.getString(1), rs.getString(2)});
                    }
                }
                assertThat(columns).hasSizeGreaterThan(10);
                for (String[] column : columns) {
                    StringBuilder values = new StringBuilder();
                    try (ResultSet rs = s.executeQuery("select \"" + column[1] + "\" from \"" + column[0] + "\"")) {
                        while (rs.next()) {
                            byte[] raw = rs.getBytes(1);
                            if (raw != null) {
                                values.append(new String(raw, StandardCharsets.UTF_8)).append('\n');
                            }
                        }
                    }
                    secrets.scan("journal text columns", column[0] + "." + column[1], values.toString());
                }
            }
        }

        /** pg_dump of the schema, as a backup of the journal would hold it. */
        String dump() throws Exception {
            ProcessBuilder builder = new ProcessBuilder("pg_dump", "-h", pg.host(), "-p", Integer.toString(pg.port()), "-U", role,
                    "-n", role, "--no-owner", "opsbot_test").redirectErrorStream(true);
            builder.environment().put("PGPASSWORD", password);
            Process process = builder.start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitValue()).as(out).isZero();
            return out;
        }

        @Override
        public void close() throws SQLException {
            try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password()); Statement s = c.createStatement()) {
                s.execute("DROP SCHEMA IF EXISTS " + role + " CASCADE");
                s.execute("DROP ROLE IF EXISTS " + role);
            }
        }
    }


    @Test
    void noTokenOrSecretAppearsInAnyLogLineAtDebugLevel() throws Exception {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        Level before = root.getLevel();
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        root.addAppender(lines);
        root.setLevel(Level.DEBUG);
        SlackConfig config = new SlackConfig("http", 0, SlackBotTest.BOT_TOKEN, "xapp-unused-app-token", SlackBotTest.SECRET, null);
        try (FakeSlack slack = new FakeSlack();
             SlackBot bot = SlackBot.builder(new SlackConfig("http", 0, config.botToken(), config.appToken(), config.signingSecret(),
                             slack.apiUrl()), new AccessConfig(Map.of("viewer", List.of("*")), null, null),
                     (request, progress) -> {
                         if (request.text().equals("boom")) {
                             throw new IllegalStateException("handler failed");
                         }
                         return new Response.Answer(new Report("status", List.of(), false));
                     })
                     .editInterval(Duration.ofMillis(10)).start()) {
            SignedRequests requests = new SignedRequests(bot.httpPort(), SlackBotTest.SECRET);
            requests.slashCommand("status", "UVIEW", "C1", "t-1");
            requests.slashCommand("boom", "UVIEW", "C1", "t-2");
            requests.postSigned("text=status", SignedRequests.FORM, SignedRequests.now(), "v0=deadbeef", Map.of());
            await().atMost(Duration.ofSeconds(5)).until(() -> slack.calls("chat.postEphemeral").size() == 1
                    && slack.calls("chat.postMessage").size() == 1);
        } finally {
            root.setLevel(before);
            root.detachAppender(lines);
        }

        assertThat(lines.list).hasSizeGreaterThan(5);
        assertThat(config.toString()).doesNotContain(config.botToken());
        for (ILoggingEvent line : lines.list) {
            String text = line.getFormattedMessage() + (line.getThrowableProxy() == null ? "" : line.getThrowableProxy().getMessage());
            assertThat(text).doesNotContain(SlackBotTest.BOT_TOKEN, SlackBotTest.SECRET, "xapp-unused-app-token");
        }
    }
}
