package io.opsbot.engine.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opsbot.cluster.marathon.App;
import io.opsbot.cluster.marathon.Embed;
import io.opsbot.engine.Operation;
import io.opsbot.engine.OpsException;
import io.opsbot.engine.Outcome;
import io.opsbot.engine.Report;
import io.opsbot.engine.StepResult;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** scale, restart, rollback, versions, drift and status against the emulated cluster. */
class MarathonOperationsTest {

    @TempDir
    static Path home;
    static SimCluster cluster;

    @BeforeAll
    static void start() {
        cluster = new SimCluster(home);
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @Test
    void scaleTwiceChangesNothingTheSecondTime() {
        Outcome first = cluster.run(cluster.ops.scale("nginx", 2));
        Outcome second = cluster.run(cluster.ops.scale("nginx", 2));

        assertThat(first.state()).as(first.message()).isEqualTo(Outcome.State.SUCCEEDED);
        assertThat(first.changedSomething()).isTrue();
        assertThat(second.changedSomething()).isFalse();
        assertThat(second.message()).contains("nginx is already at 2 instances");
    }

    @Test
    void scaleAboveWhatHostnameUniqueCanPlaceIsRefused() {
        assertThatThrownBy(() -> cluster.ops.scale("nodeapp", 4))
                .isInstanceOf(OpsException.class)
                .hasMessage("nodeapp has the constraint hostname:UNIQUE (one instance per node) and the cluster has 3 active agents,"
                        + " so it can run at most 3 instances; asked for 4");
    }

    @Test
    void scaleBelowTheMinimumOrAboveTheMaximumOfTheAppsLimitsIsRefusedTheSameWay() {
        // config/apps/nodeapp/app.yaml: limits { minInstances: 1, maxInstances: 6 }
        assertThatThrownBy(() -> cluster.ops.scale("nodeapp", 0))
                .isInstanceOf(OpsException.class)
                .hasMessage("nodeapp must run at least 1 instance (limits.minInstances in nodeapp/app.yaml); asked for 0");
        assertThatThrownBy(() -> cluster.ops.scale("nodeapp", 7))
                .isInstanceOf(OpsException.class)
                .hasMessage("nodeapp may run at most 6 instances (limits.maxInstances in nodeapp/app.yaml); asked for 7");
    }

    @Test
    void statusOfANodeListsTheFlockerDatasetsStoredOnIt() {
        Report node2 = cluster.ops.status("node2");
        Report node3 = cluster.ops.status("node3");

        assertThat(node2.sections()).filteredOn(s -> s.heading().equals("Flocker datasets on node2")).singleElement()
                .satisfies(s -> assertThat(s.lines()).singleElement().asString()
                        .startsWith("Flocker dataset mongo (").endsWith("): on node2, 10.0 GiB"));
        assertThat(node3.sections()).filteredOn(s -> s.heading().equals("Flocker datasets on node3")).singleElement()
                .satisfies(s -> assertThat(s.lines()).containsExactly("none"));
    }

    @Test
    void scaleToZeroNeedsConfirmation() {
        assertThat(cluster.ops.scale("mongo", 0).needsConfirmation()).isTrue();
        assertThat(cluster.ops.scale("nginx", 1).needsConfirmation()).isFalse();
    }

    @Test
    void restartReplacesEveryTaskAndTheSameOperationRunAgainChangesNothing() {
        List<String> before = taskIds("/nginx");
        Operation restart = cluster.ops.restart("nginx");

        Outcome first = cluster.run(restart);
        List<String> after = taskIds("/nginx");
        Outcome again = cluster.run(restart);

        assertThat(first.state()).as(first.message()).isEqualTo(Outcome.State.SUCCEEDED);
        assertThat(first.steps().get(0).result()).isEqualTo(StepResult.CHANGED);
        assertThat(after).doesNotContainAnyElementsOf(before);
        assertThat(again.changedSomething()).isFalse();
        assertThat(again.message()).contains("nginx was restarted");
        assertThat(taskIds("/nginx")).isEqualTo(after);
        // A new restart command is a new request: it restarts again.
        assertThat(cluster.engine.plan(cluster.ops.restart("nginx")).changesNothing()).isFalse();
    }

    @Test
    void rollbackToAVersionTwiceChangesNothingTheSecondTimeAndVersionsListsTheChanges() {
        String original = cluster.clients.marathon().versions("/mongo").get(0);
        // Somebody changes mongo by hand in the Marathon UI.
        App mongo = cluster.clients.marathon().app("/mongo");
        com.fasterxml.jackson.databind.node.ObjectNode changed = io.opsbot.cluster.marathon.AppDefinitions.normalize(mongo.raw());
        changed.put("mem", 768);
        String deployment = cluster.clients.marathon().updateApp("/mongo", changed, false).deploymentId();
        assertThat(cluster.clients.deployments().awaitDeployment(deployment, "/mongo", java.time.Duration.ofSeconds(10), t -> { })
                .isSuccess()).isTrue();

        Report versions = cluster.ops.versions("mongo");
        assertThat(versions.sections().get(0).lines().get(0)).contains("(current)").contains("mem: 512 → 768");
        assertThat(versions.sections().get(0).lines()).anyMatch(l -> l.startsWith(original));

        Operation rollback = cluster.ops.rollback("mongo", original);
        assertThat(rollback.needsConfirmation()).isTrue();
        assertThat(cluster.engine.plan(rollback).steps().get(0).check().text()).isEqualTo("mem: 768 → 512");
        Outcome first = cluster.run(rollback);
        Outcome second = cluster.run(cluster.ops.rollback("mongo", original));

        assertThat(first.state()).as(first.message()).isEqualTo(Outcome.State.SUCCEEDED);
        assertThat(first.changedSomething()).isTrue();
        assertThat(cluster.clients.marathon().app("/mongo").mem()).isEqualTo(512);
        assertThat(second.changedSomething()).isFalse();
        assertThat(second.message()).contains("/mongo already runs this definition");
    }

    @Test
    void rollbackToAnImageTagPutsBackTheNewestVersionThatRanIt() {
        App nginx = cluster.clients.marathon().app("/nginx");
        assertThat(nginx.image()).endsWith(":1.0");
        com.fasterxml.jackson.databind.node.ObjectNode changed = io.opsbot.cluster.marathon.AppDefinitions.normalize(nginx.raw());
        ((com.fasterxml.jackson.databind.node.ObjectNode) changed.path("container").path("docker"))
                .put("image", nginx.image().replace(":1.0", ":2.0"));
        String deployment = cluster.clients.marathon().updateApp("/nginx", changed, false).deploymentId();
        assertThat(cluster.clients.deployments().awaitDeployment(deployment, "/nginx", java.time.Duration.ofSeconds(10), t -> { })
                .isSuccess()).isTrue();

        Operation back = cluster.ops.rollback("nginx", "1.0");
        assertThat(back.title()).isEqualTo("rollback nginx 1.0");
        assertThat(back.steps().get(0).description()).contains("back to version ").endsWith("(image tag 1.0)");
        Outcome outcome = cluster.run(back);

        assertThat(outcome.state()).as(outcome.message()).isEqualTo(Outcome.State.SUCCEEDED);
        assertThat(cluster.clients.marathon().app("/nginx").image()).endsWith(":1.0");
        assertThat(cluster.run(cluster.ops.rollback("nginx", "1.0")).changedSomething()).isFalse();
        assertThatThrownBy(() -> cluster.ops.rollback("nginx", "9.9"))
                .isInstanceOf(OpsException.class)
                .hasMessageStartingWith("no version of nginx among Marathon's last ")
                .hasMessageContaining(" ran image tag 9.9; tags there: 1.0, 2.0");
    }

    @Test
    void rollbackToAnUnknownVersionSaysWhichOnesExist() {
        assertThatThrownBy(() -> cluster.ops.rollback("nginx", "2001-01-01T00:00:00.000Z"))
                .isInstanceOf(OpsException.class)
                .hasMessageStartingWith("Marathon has no version 2001-01-01T00:00:00.000Z of nginx; recent ones: ");
    }

    @Test
    void driftListsWhatDiffersPerAppAndAppsTheCatalogDoesNotKnow() {
        Report drift = cluster.ops.drift(null);

        assertThat(drift.emulated()).isTrue();
        assertThat(drift.sections()).extracting(Report.Section::heading).anyMatch(h -> h.startsWith("nodeapp ("));
        Report.Section nodeapp = drift.sections().stream().filter(s -> s.heading().startsWith("nodeapp (")).findFirst().orElseThrow();
        assertThat(nodeapp.lines()).contains("constraints: Marathon runs [], the catalog says [[\"hostname\",\"UNIQUE\"]]");
        assertThat(nodeapp.lines()).noneMatch(l -> l.startsWith("container.docker.image"));
    }

    @Test
    void statusShowsAgentsAppsAndDeployments() {
        Report status = cluster.ops.status(null);

        assertThat(status.sections()).extracting(Report.Section::heading)
                .containsExactly("Mesos agents", "Marathon apps", "Deployments in progress", "Weave peers", "Flocker datasets");
        assertThat(status.sections().get(0).lines()).hasSize(3).allMatch(l -> l.contains("active") && l.contains("cpus"));
        assertThat(status.sections().get(1).lines()).anyMatch(l -> l.startsWith("/nodeapp "));
        Report one = cluster.ops.status("nodeapp");
        assertThat(one.sections().get(0).lines()).anyMatch(l -> l.startsWith("task nodeapp.") && l.contains("healthy"));
        assertThat(one.sections().get(0).lines()).anyMatch(l -> l.matches("Weave DNS nodeapp\\.weave\\.local: 10\\.\\d+\\.\\d+\\.\\d+, 10\\..*"));
        assertThat(status.sections().get(3).lines()).hasSize(3).allMatch(l -> l.contains(": ready, Weave "));
        assertThat(status.sections().get(4).lines()).singleElement().asString()
                .startsWith("Flocker dataset mongo (").contains("): on node2");
        assertThat(cluster.ops.status("mongo").sections().get(0).lines()).anyMatch(l -> l.startsWith("Flocker dataset mongo (")
                && l.contains("): on node2"));
        assertThat(cluster.ops.status("node2").sections()).extracting(Report.Section::heading)
                .containsExactly("Mesos agent node2", "Tasks on node2", "Weave on node2", "Flocker datasets on node2");
    }

    private static List<String> taskIds(String app) {
        return cluster.clients.marathon().app(app, Embed.TASKS).tasks().stream().map(t -> t.id()).sorted().toList();
    }
}
