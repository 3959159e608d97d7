package io.opsbot.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import io.opsbot.cluster.marathon.App;
import io.opsbot.cluster.marathon.Embed;
import io.opsbot.cluster.marathon.LastTaskFailure;
import io.opsbot.cluster.marathon.MarathonEvent;
import io.opsbot.config.ClusterConfig;
import io.opsbot.engine.JdbcJournal;
import io.opsbot.engine.ops.ClusterClients;
import io.opsbot.engine.ops.SimControl;
import io.opsbot.sim.Sim;
import io.opsbot.sim.SimOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One task failure is one occurrence, whether it reaches the watcher as its event, through a reconciliation that reads
 * it as the app's last failure, or both: at start the event stream connects before the state is read, so a failure in
 * between came both ways and was counted twice (seen by ./bench's item 3 as "2 task failures" for one crash).
 * The watcher's steps are called here in the order that race gives, on this thread, against the emulated cluster.
 */
class FailureCountedOnceTest {

    private static final IncidentKey NODEAPP_FAILURES = new IncidentKey(IncidentKind.TASK_FAILURES, "nodeapp");

    @TempDir
    Path home;

    private Sim sim;
    private JdbcJournal journal;
    private ClusterClients clients;
    private ScheduledExecutorService thread;
    private final List<IncidentChange> shown = new ArrayList<>();
    private Incidents incidents;
    private Watcher watcher;

    @BeforeEach
    void start() {
        sim = Sim.start(new SimOptions(home, 0, null, 10, true));
        journal = JdbcJournal.inMemory();
        clients = ClusterClients.connect(new ClusterConfig(new ClusterConfig.Marathon(sim.endpoints().marathonUrl(), null, null, null),
                new ClusterConfig.Mesos(sim.endpoints().mesosUrl(), null), null, null, null, null, null, Map.of(), Map.of(), true));
        thread = Executors.newSingleThreadScheduledExecutor();
        replica();
    }

    @AfterEach
    void stop() {
        watcher.close();
        thread.shutdownNow();
        clients.close();
        journal.close();
        sim.close();
    }

    @Test
    void aFailureReconciledAtStartIsNotCountedAgainWhenItsEventArrives() {
        LastTaskFailure failure = crashOne();

        watcher.reconcile(Instant.now().minus(AlertSettings.DEFAULTS.lookback()), "opsbot started watching", true);
        assertThat(count()).isEqualTo(1);
        watcher.onEventAt(eventOf(failure), Instant.now());

        assertThat(count()).as("the same task's failure, read and then heard").isEqualTo(1);
    }

    @Test
    void aFailureHeardBeforeAStreamGapIsNotCountedAgainByTheGapsReconciliation() {
        LastTaskFailure failure = crashOne();

        watcher.onEventAt(eventOf(failure), Instant.now());
        assertThat(count()).isEqualTo(1);
        // the gap's reconciliation looks back to a second before the stream went down: the failure is inside it
        watcher.reconcile(Instant.parse(failure.timestamp()).minusSeconds(1), "a 2 s gap in the event stream");

        assertThat(count()).as("the same task's failure, heard and then read").isEqualTo(1);
    }

    @Test
    void aSecondFailureOfAnotherTaskStillCounts() {
        LastTaskFailure first = crashOne();
        watcher.onEventAt(eventOf(first), Instant.now());
        watcher.reconcile(Instant.now().minus(AlertSettings.DEFAULTS.lookback()), "a 1 s gap in the event stream");
        LastTaskFailure second = crashOne();
        assertThat(second.taskId()).isNotEqualTo(first.taskId());

        watcher.onEventAt(eventOf(second), Instant.now());

        assertThat(count()).isEqualTo(2);
        assertThat(shown).isNotEmpty();
    }

    @Test
    void onTakeoverAFailureTheLastLeaderCountedIsNotCountedAgain() {
        LastTaskFailure failure = crashOne();
        watcher.onEventAt(eventOf(failure), Instant.now());
        assertThat(count()).isEqualTo(1);

        restart();
        watcher.reconcile(Instant.now().minus(AlertSettings.DEFAULTS.lookback()), "opsbot started watching", true);

        assertThat(count()).isEqualTo(1);
    }

    @Test
    void onTakeoverAFailureWhileNobodyWatchedCountsThoughItsIncidentIsStillOpen() {
        LastTaskFailure heard = crashOne();
        watcher.onEventAt(eventOf(heard), Instant.parse(heard.timestamp()));
        assertThat(count()).isEqualTo(1);

        // the bot stops; a while later (the emulated cluster's clock moved on) a task fails; the bot starts again
        // with the incident still open
        watcher.close();
        advanceSimClock(Watcher.COUNTED_MARGIN.multipliedBy(5));
        LastTaskFailure unseen = crashOne();
        restart();
        watcher.reconcile(Instant.now().minus(AlertSettings.DEFAULTS.lookback()), "opsbot started watching", true);
        assertThat(count()).as("the failure nobody heard").isEqualTo(2);
        watcher.onEventAt(eventOf(unseen), Instant.now()); // had the stream been up already, its event too

        assertThat(count()).isEqualTo(2);
    }

    /** A new replica over the same journal, as after a restart or a takeover: it loads the open incidents. */
    private void restart() {
        watcher.close();
        replica();
    }

    /**
     * Incidents loaded from the journal and a watcher over them, not started: no subscription, no polling (the test
     * plays the alert thread).
     */
    private void replica() {
        incidents = new Incidents(journal.incidents(), AlertSettings.DEFAULTS, shown::add, Clock.systemUTC());
        incidents.load();
        watcher = new Watcher(clients.marathon(), clients.events(), clients.mesos(), AlertSettings.DEFAULTS, incidents,
                app -> false, Clock.systemUTC(), thread);
    }

    private void advanceSimClock(Duration by) {
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create(sim.endpoints().marathonUrl().replaceAll("/+$", "") + "/_sim/time/advance"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"seconds\": " + by.toSeconds() + "}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Crashes one nodeapp task in the sim and returns the failure Marathon now reports as the app's last. */
    private LastTaskFailure crashOne() {
        App before = nodeapp();
        String previous = before.lastTaskFailure() == null ? null : before.lastTaskFailure().taskId();
        assertThat(new SimControl(sim.endpoints().marathonUrl()).crash("nodeapp", 1)).isEqualTo(1);
        LastTaskFailure f = nodeapp().lastTaskFailure();
        assertThat(f).isNotNull();
        assertThat(f.taskId()).isNotEqualTo(previous);
        return f;
    }

    private App nodeapp() {
        return clients.marathon().apps(Embed.COUNTS, Embed.LAST_TASK_FAILURE).stream()
                .filter(a -> a.id().equals("/nodeapp")).findFirst().orElseThrow();
    }

    private static MarathonEvent.StatusUpdate eventOf(LastTaskFailure f) {
        return new MarathonEvent.StatusUpdate("status_update_event", f.timestamp(), "/nodeapp", f.taskId(), f.state(),
                f.host(), null, f.version(), f.message());
    }

    private int count() {
        return incidents.openIncident(NODEAPP_FAILURES).map(Incident::count).orElse(0);
    }
}
