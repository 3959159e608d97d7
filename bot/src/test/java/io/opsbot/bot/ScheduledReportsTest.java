package io.opsbot.bot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import io.opsbot.bot.render.HealthText;
import io.opsbot.engine.ProgressListener;
import io.opsbot.health.HealthReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Quartz's clustered job store: each fire once across replicas; a fire missed while stopped sent once, late. */
class ScheduledReportsTest {

    private static final String URL = System.getenv("OPSBOT_TEST_PG_URL");
    private static final String USER = System.getenv("OPSBOT_TEST_PG_USER");
    private static final String PASSWORD = System.getenv("OPSBOT_TEST_PG_PASSWORD");

    @TempDir
    Path dir;

    /** One delivered report: which replica sent it and the time it stands for. */
    record Delivery(String replica, String channel, HealthReport.Timing timing) {}

    private static Response run(Opsbot bot, String text) {
        return bot.dispatcher().handle(new Request(text, "tester", "console", false), ProgressListener.NONE);
    }

    @Test
    void twoOpsbotsOnOnePostgresJournalPostEachFireOnce() throws Exception {
        requirePostgres();
        String schema = "reports_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        execute("CREATE SCHEMA " + schema);
        Path config = dir.resolve("opsbot.yaml");
        Files.writeString(config, "journal:\n  url: \"" + URL + (URL.contains("?") ? "&" : "?") + "currentSchema=" + schema
                + "\"\n  user: " + USER + "\n  password: " + PASSWORD + "\n");
        List<Delivery> deliveries = new CopyOnWriteArrayList<>();
        try (Opsbot a = Opsbot.start(config, dir.resolve("a")); Opsbot b = Opsbot.start(config, dir.resolve("b"))) {
            a.reports().connect((channel, report) -> deliveries.add(new Delivery("a", channel, report.timing())));
            b.reports().connect((channel, report) -> deliveries.add(new Delivery("b", channel, report.timing())));
            String answer = new io.opsbot.bot.render.PlainText().render(run(a, "report schedule \"0/3 * * * * ?\" #ops --tz UTC"));
            assertThat(answer).contains("a health report to #ops");
            assertThat(new io.opsbot.bot.render.PlainText().render(run(b, "report schedules"))).contains("→ #ops by tester");

            await().atMost(Duration.ofSeconds(90)).until(() -> deliveries.size() >= 5);
        } finally {
            execute("DROP SCHEMA " + schema + " CASCADE");
        }
        Map<Instant, Long> perDue = deliveries.stream().collect(Collectors.groupingBy(d -> d.timing().due(), Collectors.counting()));
        assertThat(perDue.values()).as("deliveries per due time: %s", deliveries).allMatch(n -> n == 1);
        assertThat(deliveries).allMatch(d -> d.channel().equals("#ops"));
    }

    @Test
    void aScheduleSurvivesARestartAndAFireMissedWhileStoppedIsSentOnceMarkedLate() {
        List<HealthReport> before = new CopyOnWriteArrayList<>();
        Instant stopped;
        try (Opsbot bot = Opsbot.start(null, dir.resolve("home"), Duration.ofSeconds(2))) {
            bot.reports().connect((channel, report) -> before.add(report));
            run(bot, "report schedule \"0/4 * * * * ?\" --tz UTC");
            await().atMost(Duration.ofSeconds(60)).until(() -> !before.isEmpty());
        }
        stopped = Instant.now();
        // two fire times pass while no opsbot runs
        await().atMost(Duration.ofSeconds(30)).until(() -> Instant.now().isAfter(stopped.plusSeconds(9)));
        List<HealthReport> after = new CopyOnWriteArrayList<>();
        try (Opsbot bot = Opsbot.start(null, dir.resolve("home"), Duration.ofSeconds(2))) {
            assertThat(new io.opsbot.bot.render.PlainText().render(run(bot, "report schedules"))).contains("\"0/4 * * * * ?\"");
            bot.reports().connect((channel, report) -> after.add(report));
            await().atMost(Duration.ofSeconds(60)).until(() -> after.size() >= 2);
        }
        HealthReport.Timing catchUp = after.get(0).timing();
        assertThat(catchUp.late()).as("the first report after the restart stands for a missed time").isTrue();
        assertThat(catchUp.due()).isAfter(stopped).isBefore(catchUp.sent());
        assertThat(catchUp.missed()).as("earlier missed times are counted, not sent").isGreaterThanOrEqualTo(1);
        assertThat(after).as("no missed time is sent twice or one by one")
                .filteredOn(r -> !r.timing().due().isAfter(catchUp.due())).hasSize(1);
        assertThat(after.stream().map(r -> r.timing().due()).distinct().count()).isEqualTo(after.size());
        String text = new HealthText(ZoneId.of("UTC")).render(after.get(0), true);
        assertThat(text).containsPattern("late: due \\d\\d:\\d\\d:\\d\\d, sent \\d\\d:\\d\\d:\\d\\d");
    }

    private static void requirePostgres() {
        if (URL != null && USER != null && PASSWORD != null) {
            return;
        }
        String missing = "PostgreSQL is required: set OPSBOT_TEST_PG_URL, OPSBOT_TEST_PG_USER and OPSBOT_TEST_PG_PASSWORD"
                + " (.ci/services.sh does)";
        if ("true".equals(System.getenv("CI"))) {
            fail(missing);
        }
        Assumptions.abort(missing + " (skipped: not in CI)");
    }

    private static void execute(String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(URL, USER, PASSWORD); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

}
