package io.opsbot.bot.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.opsbot.alerts.Incident;
import io.opsbot.alerts.IncidentKind;
import io.opsbot.engine.Report;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** why APP's open incident: kind, count, since when, last reason and agents, and the link to its alert. */
class IncidentWhyPartTest {

    private static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");
    private final ListIncidentStore store = new ListIncidentStore();
    private final IncidentWhyPart part = new IncidentWhyPart(store, Clock.fixed(NOW, ZoneOffset.UTC), ZoneOffset.UTC,
            (channel, ts) -> "https://chat/" + channel + "/" + ts);

    @Test
    void theAppsOpenIncidentIsExplainedWithALinkToItsAlert() {
        store.insert(new Incident(0, IncidentKind.TASK_FAILURES, "nodeapp", Incident.State.OPEN, 14,
                NOW.minusSeconds(3600), NOW.minusSeconds(10), "TASK_FAILED \"Container exited with status 137\"",
                List.of("node1", "node3"), true, NOW.minusSeconds(600), null, null, "C0ALERTS", "1700000000.000100"));
        store.insert(new Incident(0, IncidentKind.UNHEALTHY, "pyapp", Incident.State.OPEN, 2, NOW.minusSeconds(60),
                NOW.minusSeconds(5), "unhealthy", List.of(), false, NOW.minusSeconds(60), null, null, null, null));

        Optional<Report.Section> s = part.explain("nodeapp", "/nodeapp");

        assertThat(s).isPresent();
        assertThat(s.get().heading()).isEqualTo("Open incident");
        assertThat(s.get().lines()).containsExactly(
                "🔴 task failures: 14 task failures, open since Nov 26 11:50:00 Z (10m), reopened (first seen Nov 26 11:00:00 Z),"
                        + " found by reconciliation",
                "   last: TASK_FAILED \"Container exited with status 137\" (on node1, node3), Nov 26 11:59:50 Z",
                "   alert: https://chat/C0ALERTS/1700000000.000100");
    }

    @Test
    void nothingWhenTheAppHasNoOpenIncident() {
        store.insert(new Incident(0, IncidentKind.UNHEALTHY, "nodeapp", Incident.State.RESOLVED, 3, NOW.minusSeconds(900),
                NOW.minusSeconds(700), "unhealthy", List.of(), false, NOW.minusSeconds(900), NOW.minusSeconds(600),
                "healthy again", null, null));
        store.insert(new Incident(0, IncidentKind.AGENT_LOST, "nodeapp", Incident.State.OPEN, 1, NOW.minusSeconds(60),
                NOW.minusSeconds(60), "agent with the app's name", List.of(), false, NOW.minusSeconds(60), null, null, null, null));

        assertThat(part.explain("nodeapp", "/nodeapp")).isEmpty();
        assertThat(part.explain("pyapp", "/pyapp")).isEmpty();
    }
}
