package io.opsbot.bot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import io.opsbot.bot.KillSuiteTest.Bot;
import io.opsbot.bot.KillSuiteTest.Op;
import io.opsbot.bot.render.PlainText;
import io.opsbot.engine.JdbcJournal;
import io.opsbot.engine.OperationEntry;
import io.opsbot.engine.OpsException;
import io.opsbot.engine.ProgressListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The journal's store failing under a running bot, against the emulated cluster of the kill suite: PostgreSQL (a
 * private cluster of this test's own, never the shared one) stopped in the middle of an operation and started again;
 * an H2 journal file on a disk that fills up (a small tmpfs mounted here); the journal unreachable at start. Each must
 * hold: a new operation is refused with a message that says so (nothing runs unrecorded); the running one stops at a
 * stated state; once the store is back the same bot finishes it, and the journal and the cluster agree (every write the
 * cluster saw credited once to the operation that made it, nothing left running). Figures go to stdout and
 * target/journal-store-failure.txt; RELIABILITY.md lists them.
 */
class JournalStoreFailureTest {

    private static final boolean CI = "true".equals(System.getenv("CI"));
    private static final List<String> FIGURES = new ArrayList<>();
    private static final PlainText TEXT = new PlainText();
    /** A restart (a rolling deployment of ~15 s) in long mode; a scale (a few seconds) in the bounded suite. */
    private static final boolean LONG = "true".equals(System.getenv("OPSBOT_LONG"));

    /** One private PostgreSQL cluster for the class (initdb takes a while); started lazily, by the first test needing it. */
    private static PrivatePostgres pg;

    @BeforeAll
    static void startCluster() throws Exception {
        KillSuiteTest.startCluster();
    }

    @AfterAll
    static void stopCluster() throws Exception {
        KillSuiteTest.stopCluster();
        if (pg != null) {
            pg.close();
        }
        Files.writeString(Path.of("target", "journal-store-failure.txt"), String.join("\n", FIGURES) + "\n");
    }

    /** Something of the machine the test needs: a failure in CI, a skip elsewhere. */
    private static void require(String missing) {
        if (missing == null) {
            return;
        }
        if (CI) {
            fail(missing);
        }
        Assumptions.abort(missing + " (skipped: not in CI)");
    }

    /** The class's private PostgreSQL, answering. */
    private static PrivatePostgres postgres() throws Exception {
        require(PrivatePostgres.unavailable());
        if (pg == null) {
            pg = PrivatePostgres.start();
        }
        if (!pg.answers()) {
            pg.startServer();
        }
        return pg;
    }

    @Test
    void postgresqlStoppedMidOperationAndStartedAgain() throws Exception {
        PrivatePostgres pg = postgres();
        Bot bot = Bot.create("store-postgresql", pg.url() + "?currentSchema=outage", PrivatePostgres.USER, "unused-trust");
        createSchema(pg, "outage");
        outage(bot, "PostgreSQL stopped (pg_ctl stop -m fast) and started again", pg::stop, pg::startServer);
    }

    /**
     * PostgreSQL that stops answering in the middle of the operation (a TCP proxy in front of it frozen: connections stay
     * open, nothing passes; new ones are accepted and never answered), then answers again: with the journal's bounds
     * (here 2 s to connect, 3 s for an answer) it is an outage like a stopped database — the running operation stops at a
     * stated state, a new one is refused with the reason, other commands are still answered, and nothing is lost.
     * Without the bounds the operation and the refused command would wait on their sockets for ever.
     */
    @Test
    void postgresqlThatStopsAnsweringMidOperationAndAnswersAgain() throws Exception {
        PrivatePostgres pg = postgres();
        createSchema(pg, "hang");
        try (io.opsbot.testing.FreezableProxy proxy = io.opsbot.testing.FreezableProxy.to("127.0.0.1", pg.port())) {
            Bot bot = Bot.create("store-postgresql-hang", "jdbc:postgresql://127.0.0.1:" + proxy.port()
                    + "/postgres?currentSchema=hang", PrivatePostgres.USER, "unused-trust");
            withJournalTimeouts(bot, "2s", "3s");
            String said = outage(bot, "PostgreSQL frozen mid-operation (a TCP proxy that stops passing anything), then "
                    + "answering again", proxy::freeze, proxy::thaw);
            assertThat(said).as("what the refused command and the stopped operation said")
                    .contains("its database did not answer in time (connect 2.0s, answer 3.0s");
        }
    }

    /** Adds journal.connectTimeout and journal.socketTimeout to the bot's configuration file. */
    @SuppressWarnings("unchecked")
    private static void withJournalTimeouts(Bot bot, String connect, String socket) throws java.io.IOException {
        var yaml = new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory());
        java.util.Map<String, Object> config = yaml.readValue(bot.config.toFile(), java.util.Map.class);
        java.util.Map<String, Object> journal = (java.util.Map<String, Object>) config.get("journal");
        journal.put("connectTimeout", connect);
        journal.put("socketTimeout", socket);
        yaml.writeValue(bot.config.toFile(), config);
    }

    @Test
    void aJournalConnectionFromBeforeADatabaseRestartIsNotReused() throws Exception {
        PrivatePostgres pg = postgres();
        createSchema(pg, "reuse");
        try (JdbcJournal journal = JdbcJournal.open(pg.url() + "?currentSchema=reuse", PrivatePostgres.USER, "unused-trust")) {
            journal.history(null, 1); // a connection now idle in the journal's pool
            pg.stop();
            pg.startServer();
            // the first call after the restart works: the dead idle connection is dropped, not used
            assertThat(journal.history(null, 1)).isEmpty();
        }
    }

    private static void createSchema(PrivatePostgres pg, String schema) throws Exception {
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(pg.url(), PrivatePostgres.USER, "");
             java.sql.Statement statement = c.createStatement()) {
            statement.execute("CREATE SCHEMA IF NOT EXISTS " + schema);
        }
    }

    @Test
    void anH2JournalOnADiskThatFillsUp() throws Exception {
        ScratchDisk disk;
        try {
            disk = ScratchDisk.mount(64);
        } catch (java.io.IOException cannot) {
            require(cannot.getMessage());
            return;
        }
        try (disk) {
            Bot bot = Bot.create("store-h2-full-disk", "jdbc:h2:file:" + disk.path().resolve("journal"), null, null);
            outage(bot, "H2 file on a " + disk.kind() + ", filled up and freed again", () -> {
                long filled = disk.fill();
                System.out.println("filled the journal's disk with " + filled / 1024 + " KB");
            }, disk::free);
        }
    }

    @Test
    void aJournalUnreachableAtStartRunsNothing() throws Exception {
        PrivatePostgres pg = postgres();
        try {
            pg.stop();
            Bot bot = Bot.create("store-unreachable", pg.url(), PrivatePostgres.USER, "unused-trust");
            long before = KillSuiteTest.writesTotal();
            String expected = "the journal at " + pg.url() + " cannot be reached (Connection to 127.0.0.1:" + pg.port()
                    + " refused";

            // the bot cannot be started on it
            assertThatThrownBy(() -> Opsbot.start(bot.config, bot.home)).isInstanceOf(OpsException.class)
                    .hasMessageStartingWith(expected).hasMessageEndingWith("and opsbot runs nothing it cannot record");
            // exec says it in one line and runs nothing
            KillSuiteTest.Child exec = bot.start("scale nodeapp 5", "unreachable");
            assertThat(exec.process().waitFor(120, TimeUnit.SECONDS)).isTrue();
            String stderr = Files.readString(exec.log().resolve("stderr.txt"));
            assertThat(exec.process().exitValue()).as(stderr).isEqualTo(2);
            assertThat(stderr.strip()).startsWith("opsbot: " + expected).doesNotContain("Exception").hasLineCount(1);
            assertThat(KillSuiteTest.writesTotal()).as("writes the cluster saw").isEqualTo(before);

            // the console bot waits for it, saying so, and serves once it answers
            KillSuiteTest.Child console = bot.startConsole(List.of(), "console-waiting");
            Path consoleErr = console.log().resolve("stderr.txt");
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
                    .until(() -> Files.readString(consoleErr).contains("trying again in 5 s (attempt 1"));
            assertThat(Files.readString(consoleErr).lines().findFirst().orElseThrow()).startsWith("opsbot: " + expected);
            assertThat(console.process().isAlive()).isTrue();
            pg.startServer();
            console.process().getOutputStream().write("history nodeapp\nquit\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            console.process().getOutputStream().close();
            assertThat(console.process().waitFor(120, TimeUnit.SECONDS)).as("the console ends after quit").isTrue();
            assertThat(console.process().exitValue()).isZero();
            assertThat(Files.readString(console.log().resolve("stdout.txt"))).contains("opsbot console");
            assertThat(KillSuiteTest.writesTotal()).as("writes the cluster saw").isEqualTo(before);
            FIGURES.add(figures("PostgreSQL unreachable at start", "exec refused (exit 2, one line naming the journal's URL "
                    + "and reason); the console bot waited, one line per attempt, and served once it answered", 0, 0, 0, 0));
        } finally {
            if (!pg.answers()) {
                pg.startServer();
            }
        }
    }

    @FunctionalInterface
    interface Action {
        void run() throws Exception;
    }

    /**
     * An operation on nodeapp runs (a restart in long mode, a scale in the bounded suite); once its write reached
     * Marathon the store goes away; a new command is refused; the operation stops saying where it was; the store comes
     * back; the bot finishes the operation by itself; a new command
     * runs. Then the journal must agree with the cluster's record.
     */
    private String outage(Bot bot, String what, Action down, Action up) throws Exception {
        KillSuiteTest.awaitSettled();
        Instant start = Instant.now().minusMillis(500);
        long before = KillSuiteTest.writesTotal();
        int refusedWrites;
        String stoppedText;
        String refusedText;
        try (Opsbot opsbot = Opsbot.start(bot.config, bot.home)) {
            opsbot.keepRecovering();
            String command = LONG ? "restart nodeapp" : KillSuiteTest.commandFor("scale");
            CompletableFuture<Response> running = CompletableFuture.supplyAsync(() -> opsbot.handler().handle(
                    new Request(command, "store-test", "store", true), ProgressListener.NONE));
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(50))
                    .until(() -> KillSuiteTest.writesTotal() > before || running.isDone());
            assertThat(running).as("'%s' still runs when its write reached Marathon", command).isNotDone();

            down.run();
            long whileDown = KillSuiteTest.writesTotal();
            String scale = KillSuiteTest.commandFor("scale");
            Response refused = opsbot.handler().handle(new Request(scale, "store-test", "store", true), ProgressListener.NONE);
            refusedText = TEXT.render(refused);
            assertThat(refusedText).as("a new command while the journal is down")
                    .contains("could not record the operation in the journal, so nothing was done");
            assertThat(refused.exitStatus()).isEqualTo(1);
            // commands that need the cluster, not the journal, are still answered (their record is only logged)
            Response status = opsbot.handler().handle(new Request("status nodeapp", "store-test", "store", false),
                    ProgressListener.NONE);
            assertThat(status.exitStatus()).as("status while the journal is down: %s", TEXT.render(status)).isZero();
            assertThat(TEXT.render(status)).contains("nodeapp");

            Response stopped = running.get(240, TimeUnit.SECONDS);
            stoppedText = TEXT.render(stopped);
            assertThat(stoppedText).as("the running operation's end").contains("stopped, because the journal stopped recording")
                    .contains("opsbot finishes it through fresh checks once the journal answers again");
            refusedWrites = (int) (KillSuiteTest.writesTotal() - whileDown);
            assertThat(refusedWrites).as("writes while the journal was down").isZero();

            up.run();
            // the bot's recovery finishes the operation the journal could not record
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> nothingRunning(bot, start));
            Response after = opsbot.handler().handle(new Request(KillSuiteTest.commandFor("scale"), "store-test", "store", true),
                    ProgressListener.NONE);
            assertThat(after.exitStatus()).as("a command once the journal is back: %s", TEXT.render(after)).isZero();
        }
        KillSuiteTest.awaitSettled();

        // the journal and the cluster agree
        var writes = KillSuiteTest.writesSince(before);
        List<Op> ops = bot.operationsSince(start, "app:/nodeapp");
        long credited = ops.stream().mapToLong(Op::credited).sum();
        long leftRunning = ops.stream().filter(o -> OperationEntry.RUNNING.equals(o.entry().state())).count();
        Op restartOp = ops.get(0);
        System.out.println(what + ": the stopped operation said: " + stoppedText.strip());
        System.out.println(what + ": the refused command said: " + refusedText.strip());
        System.out.println(what + ": journal " + ops.stream().map(o -> o.entry().id() + " " + o.entry().kind() + " "
                + o.entry().state() + (o.entry().wasRecovered() ? " (recovered)" : "") + " credited=" + o.credited()).toList()
                + ", cluster writes " + writes.size());
        assertThat(restartOp.entry().kind()).isEqualTo(LONG ? "restart" : "scale");
        assertThat(restartOp.entry().state()).as("the stopped operation, finished once the journal was back").isEqualTo("SUCCEEDED");
        assertThat(restartOp.entry().wasRecovered()).isTrue();
        assertThat(restartOp.credited()).as("the stopped operation's write, credited to it").isEqualTo(1);
        assertThat(leftRunning).as("operations left running").isZero();
        assertThat(credited).as("writes the cluster saw %s versus writes the journal credits", writes).isEqualTo(writes.size());
        assertThat(ops).as("the stopped one and the scale after the outage; the refused one is not journaled").hasSize(2);
        FIGURES.add(figures(what, restartOp.entry().kind() + " stopped: " + (stoppedText.contains("may have been applied") ? "mid-write"
                : "after its write") + ", resumed by the same bot", writes.size(), credited, leftRunning, refusedWrites));
        return refusedText + "\n" + stoppedText;
    }

    /** Nothing since {@code since} is RUNNING in the journal (false while it cannot be read). */
    private static boolean nothingRunning(Bot bot, Instant since) {
        try {
            return bot.operationsSince(since, "app:/nodeapp").stream()
                    .noneMatch(o -> OperationEntry.RUNNING.equals(o.entry().state()));
        } catch (RuntimeException journalNotYetBack) {
            return false;
        }
    }

    private static String figures(String what, String how, long writes, long credited, long running, long refusedWrites) {
        String line = DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(Instant.now().atOffset(ZoneOffset.UTC)) + "Z  " + what
                + ": " + how + "; cluster writes=" + writes + " credited=" + credited + " misattributed="
                + Math.abs(writes - credited) + " left running=" + running + " writes while refused=" + refusedWrites;
        System.out.println(line);
        return line;
    }
}
