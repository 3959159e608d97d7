package io.opsbot.bot.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.opsbot.alerts.Incident;
import io.opsbot.alerts.IncidentKind;
import io.opsbot.bot.render.BlockKit;
import io.opsbot.bot.render.HealthText;
import io.opsbot.bot.render.PlainText;
import io.opsbot.health.HealthReport;
import io.opsbot.health.Problem;
import io.opsbot.health.Section;
import io.opsbot.health.SectionSource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The report's incidents section: new, recurring, still open and resolved in the window, and the verdict's problems. */
class IncidentsSectionTest {

    private static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");
    private static final Instant SINCE = NOW.minus(Duration.ofHours(6));
    private final ListIncidentStore store = new ListIncidentStore();
    private final IncidentsSection source = new IncidentsSection(store, Clock.fixed(NOW, ZoneOffset.UTC),
            (channel, ts) -> "https://chat/" + channel + "/" + ts);

    private Incident add(IncidentKind kind, String subject, Incident.State state, int count, Instant first, Instant opened,
                         Instant resolved, String reason, String resolution, String ts) {
        Instant last = resolved != null ? resolved.minusSeconds(60) : NOW.minusSeconds(30);
        return store.insert(new Incident(0, kind, subject, state, count, first, last, reason, List.of("node3"), false, opened,
                resolved, resolution, ts == null ? null : "C0ALERTS", ts));
    }

    @Test
    void namesWhatIsNewRecurringStillOpenAndResolvedInTheWindowWithDurationsAndLinks() {
        add(IncidentKind.UNHEALTHY, "nodeapp", Incident.State.OPEN, 14, NOW.minusSeconds(360), NOW.minusSeconds(360), null,
                "health check failed on node3", null, "1700000000.000100");
        add(IncidentKind.TASK_FAILURES, "pyapp", Incident.State.OPEN, 3, SINCE.minus(Duration.ofHours(1)),
                NOW.minus(Duration.ofMinutes(20)), null, "TASK_FAILED on node1 \"exit 1\"", null, null);
        add(IncidentKind.AGENT_LOST, "node2", Incident.State.OPEN, 1, SINCE.minus(Duration.ofHours(2)),
                SINCE.minus(Duration.ofHours(2)), null, "node2 is inactive", null, null);
        add(IncidentKind.TASK_FAILURES, "goapp", Incident.State.RESOLVED, 50, NOW.minus(Duration.ofHours(2)),
                NOW.minus(Duration.ofHours(2)), NOW.minus(Duration.ofHours(2)).plusSeconds(360), "TASK_FAILED on node3",
                "back at 2/2", "1700000000.000200");
        add(IncidentKind.UNHEALTHY, "oldapp", Incident.State.RESOLVED, 2, SINCE.minus(Duration.ofHours(9)),
                SINCE.minus(Duration.ofHours(9)), SINCE.minus(Duration.ofHours(8)), "old", "healthy again", null);

        SectionSource.Contribution c = source.contribute(SINCE, NOW);

        assertThat(c.sections()).hasSize(1);
        Section s = c.sections().get(0);
        assertThat(s.key()).isEqualTo("incidents");
        assertThat(s.heading()).isEqualTo("Incidents");
        assertThat(s.summarized()).isFalse();
        assertThat(s.lines()).hasSize(5);
        assertThat(s.lines().get(0)).isEqualTo("3 open (1 new, 1 recurring, 1 still open from before), 1 resolved in the last 6h");
        // the lost agent is critical: listed first
        assertThat(s.lines().get(1)).startsWith("🔴 node2  agent lost  1 agent loss  still open, open 8h");
        assertThat(s.lines()).anySatisfy(l -> assertThat(l).isEqualTo("🔴 nodeapp  unhealthy  14 failed health checks  new, open 6m"
                + " — last: health check failed on node3  https://chat/C0ALERTS/1700000000.000100"));
        assertThat(s.lines()).anySatisfy(l -> assertThat(l).startsWith("🔴 pyapp  task failures  3 task failures  recurring, open 20m"));
        assertThat(s.lines().get(4)).isEqualTo("✅ goapp  task failures  50 task failures  resolved after 6m — back at 2/2"
                + "  https://chat/C0ALERTS/1700000000.000200");
        assertThat(String.join("\n", s.lines())).doesNotContain("oldapp");

        assertThat(c.problems()).extracting(Problem::line).containsExactlyInAnyOrder(
                "node2: open incident (agent lost), 1 agent loss in 8h — try: status",
                "nodeapp: open incident (unhealthy), 14 failed health checks in 6m — try: why nodeapp",
                "pyapp: open incident (task failures), 3 task failures in 20m — try: why pyapp");
        assertThat(c.problems()).filteredOn(p -> p.subject().equals("node2")).extracting(Problem::severity)
                .containsExactly(Problem.Severity.CRITICAL);
    }

    @Test
    void aQuietWindowSaysSoAndAddsNoProblem() {
        add(IncidentKind.UNHEALTHY, "oldapp", Incident.State.RESOLVED, 2, SINCE.minus(Duration.ofHours(9)),
                SINCE.minus(Duration.ofHours(9)), SINCE.minus(Duration.ofHours(8)), "old", "healthy again", null);

        SectionSource.Contribution c = source.contribute(SINCE, NOW);

        assertThat(c.sections().get(0).lines()).containsExactly("none open, none resolved in the last 6h");
        assertThat(c.problems()).isEmpty();
    }

    @Test
    void manyIncidentsAreSummarizedAndTheFullListKeepsEveryOneAndTheHead() {
        for (int n = 0; n < 25; n++) {
            add(IncidentKind.TASK_FAILURES, "app" + n, Incident.State.RESOLVED, n + 1, NOW.minus(Duration.ofHours(3)),
                    NOW.minus(Duration.ofHours(3)), NOW.minus(Duration.ofHours(3)).plusSeconds(60L * (n + 1)), "TASK_FAILED",
                    null, null);
        }
        Section s = source.contribute(SINCE, NOW).sections().get(0);

        assertThat(s.summarized()).isTrue();
        assertThat(s.lines()).hasSize(1 + IncidentsSection.SHOWN + 1);
        assertThat(s.lines().get(0)).isEqualTo("0 open, 25 resolved in the last 6h");
        assertThat(s.lines().get(s.lines().size() - 1)).isEqualTo("… and 15 more (the full list comes with the report)");
        assertThat(s.full()).hasSize(26).first().isEqualTo(s.lines().get(0));
    }

    @Test
    void theSectionAndItsProblemAreRenderedInPlainTextAndBlockKit() {
        add(IncidentKind.UNHEALTHY, "nodeapp", Incident.State.OPEN, 14, NOW.minusSeconds(360), NOW.minusSeconds(360), null,
                "health check failed on node3", null, null);
        SectionSource.Contribution c = source.contribute(SINCE, NOW);
        HealthReport report = new HealthReport("Health report", NOW, SINCE, true, c.problems(), c.sections(), List.of(),
                new TreeMap<>(), Duration.ofMillis(5), null);
        HealthText text = new HealthText(ZoneOffset.UTC);

        String console = text.render(report, true);
        assertThat(console).contains("⚠️ 1 problem", "nodeapp: open incident (unhealthy), 14 failed health checks in 6m — try: why nodeapp",
                "Incidents", "1 open (1 new), 0 resolved in the last 6h", "🔴 nodeapp  unhealthy");
        assertThat(new PlainText().report(text.asReport(report, false))).contains("Incidents", "🔴 nodeapp  unhealthy");

        BlockKit.Message blocks = new BlockKit().report(text.asReport(report, false));
        String json = blocks.blocks().toString();
        assertThat(json).contains("*Incidents*", "🔴 nodeapp  unhealthy", "try: why nodeapp");
    }
    @Test
    void opsbotsBlindSpotsInTheWindowAreCountedFromTheirIncidents() {
        assertThat(source.blindSpots(SINCE, NOW)).containsExactly("event-stream gaps past the alert bound: none",
                "Slack rate limits met: none");
        add(IncidentKind.BLIND_SPOT, "marathon-events", Incident.State.RESOLVED, 1, NOW.minus(Duration.ofHours(1)),
                NOW.minus(Duration.ofHours(1)), NOW.minus(Duration.ofHours(1)).plusSeconds(420),
                "Marathon's event stream is down", "the event stream is back", null);
        add(IncidentKind.BLIND_SPOT, "slack", Incident.State.OPEN, 3, NOW.minusSeconds(90), NOW.minusSeconds(90), null,
                "chat.update answered 429", null, null);
        add(IncidentKind.UNHEALTHY, "nodeapp", Incident.State.OPEN, 2, NOW.minusSeconds(60), NOW.minusSeconds(60), null,
                "health check failed", null, null);

        assertThat(source.blindSpots(SINCE, NOW)).containsExactly("event-stream gaps past the alert bound: 1, longest 7m",
                "Slack rate limits met: 1 (3 refused calls), longest 1m; one is still open");
    }
}
