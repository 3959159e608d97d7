package io.opsbot.cluster.sim;

import static io.opsbot.cluster.sim.Apps.REGISTRY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opsbot.cluster.http.Json;
import io.opsbot.cluster.marathon.App;
import io.opsbot.cluster.marathon.AppDefinitions;
import io.opsbot.cluster.marathon.DeploymentOutcome;
import io.opsbot.cluster.marathon.DeploymentOutcome.Status;
import io.opsbot.cluster.marathon.DeploymentRef;
import io.opsbot.cluster.marathon.FieldChange;
import io.opsbot.cluster.marathon.FieldError;
import io.opsbot.cluster.marathon.ValidationException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * App definitions on the wire: Marathon's 422 reaches the caller as a {@link ValidationException} with the field
 * paths, and what Marathon stores (with its defaults filled in) is no drift from what we PUT.
 */
class MarathonDefinitionsAgainstSimTest extends AgainstSim {

    private static final Duration DEPLOY_BOUND = Duration.ofSeconds(20);
    @Test
    void invalidUpdateIsRejectedWithMarathonsMessageAndEachFieldPath() {
        List<String> versionsBefore = h.marathon.versions("nodeapp");
        ObjectNode invalid = Json.MAPPER.createObjectNode().put("instances", -1).put("cpus", 0);

        ValidationException e = catchThrowableOfType(ValidationException.class,
                () -> h.marathon.updateApp("nodeapp", invalid, false));

        assertThat(e).isNotNull();
        assertThat(e.marathonMessage()).isEqualTo("Object is not valid");
        assertThat(e.fieldErrors()).containsExactlyInAnyOrder(
                new FieldError("/instances", List.of("got -1, expected 0 or more")),
                new FieldError("/cpus", List.of("got 0.0, expected more than 0.0")));
        assertThat(e.getMessage()).startsWith("Marathon rejected app /nodeapp: Object is not valid — ")
                .contains("/instances: got -1, expected 0 or more").contains("/cpus: got 0.0, expected more than 0.0");
        // A rejected definition is neither stored nor deployed.
        assertThat(h.marathon.versions("nodeapp")).isEqualTo(versionsBefore);
        assertThat(h.marathon.deployments()).isEmpty();
        assertThat(h.marathon.app("nodeapp").instances()).isEqualTo(2);
    }

    @Test
    void invalidNewAppIsRejectedWithTheNestedFieldPathMarathonDocuments() {
        ObjectNode app = Apps.nodeapp(REGISTRY + "/nodeapp:1.0").put("id", "/nodeapp-canary");
        ((ObjectNode) app.get("upgradeStrategy")).put("minimumHealthCapacity", 1.5);

        ValidationException e = catchThrowableOfType(ValidationException.class, () -> h.marathon.createApp(app));

        assertThat(e).isNotNull();
        assertThat(e.marathonMessage()).isEqualTo("Object is not valid");
        assertThat(e.fieldErrors()).containsExactly(
                new FieldError("/upgradeStrategy/minimumHealthCapacity", List.of("is greater than 1")));
        assertThat(h.marathon.findApp("nodeapp-canary")).isEmpty();
    }

    @Test
    void definitionReadBackFromMarathonIsNoDriftFromWhatWePut() {
        ObjectNode desired = Apps.nodeapp(REGISTRY + "/nodeapp:1.1");

        DeploymentRef ref = h.marathon.updateApp("nodeapp", desired, false);
        await(ref.deploymentId(), "nodeapp");

        App running = h.marathon.app("nodeapp");
        assertThat(running.version()).isEqualTo(ref.version());
        assertThat(AppDefinitions.diff(desired, running.raw())).isEmpty();
        assertThat(AppDefinitions.diff(desired, h.marathon.version("nodeapp", ref.version()).raw())).isEmpty();
        assertThat(AppDefinitions.diff(desired, h.marathon.apps().stream()
                .filter(a -> a.id().equals("/nodeapp")).findFirst().orElseThrow().raw())).isEmpty();
    }

    @Test
    void minimalAppReadBackWithEveryMarathonDefaultIsNoDrift() {
        ObjectNode minimal = Json.MAPPER.createObjectNode().put("id", "batch").put("cmd", "sleep 3600")
                .put("cpus", 0.1).put("mem", 32);

        App created = h.marathon.createApp(minimal);
        assertThat(created.deployments()).hasSize(1);
        await(created.deployments().get(0), "batch");

        App running = h.marathon.app("batch");
        assertThat(running.instances()).isEqualTo(1);
        assertThat(running.tasksRunning()).isEqualTo(1);
        assertThat(AppDefinitions.diff(minimal, running.raw())).isEmpty();
    }

    @Test
    void changeMadeByHandInMarathonShowsAsDrift() {
        ObjectNode desired = Apps.nodeapp(REGISTRY + "/nodeapp:1.0");
        assertThat(AppDefinitions.diff(desired, h.marathon.app("nodeapp").raw())).isEmpty();

        // Someone scales and labels the app in the Marathon UI (a partial PUT, as the UI sends).
        ObjectNode byHand = Json.MAPPER.createObjectNode().put("instances", 3);
        byHand.putObject("labels").put("app", "nodeapp").put("owner", "ui");
        await(h.marathon.updateApp("nodeapp", byHand, false).deploymentId(), "nodeapp");

        assertThat(AppDefinitions.diff(desired, h.marathon.app("nodeapp").raw())).containsExactly(
                new FieldChange("instances", "3", "2"),
                new FieldChange("labels.owner", "ui", "(none)"));
    }

    private static void await(String deploymentId, String appId) {
        DeploymentOutcome outcome = h.watcher.awaitDeployment(deploymentId, appId, DEPLOY_BOUND, null);
        assertThat(outcome.status()).as(outcome.reason()).isEqualTo(Status.SUCCEEDED);
    }
}
