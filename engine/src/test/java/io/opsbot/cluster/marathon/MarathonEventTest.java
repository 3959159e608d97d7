package io.opsbot.cluster.marathon;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class MarathonEventTest {

    @Test
    void deploymentInfoReadsTheOlderTypeKeyAndTheNewerActionKey() {
        String older = """
                {"eventType": "deployment_info", "timestamp": "2014-03-01T23:29:30.158Z",
                 "plan": {"id": "867ed450-f6a8-4d33-9b0e-e11c5513990b", "original": {"id": "/", "apps": []},
                  "target": {"id": "/", "apps": []}, "steps": [{"actions": [{"type": "ScaleApplication", "app": "/my-app"}]}],
                  "version": "2014-03-01T23:24:14.846Z"},
                 "currentStep": {"actions": [{"type": "ScaleApplication", "app": "/my-app"}]}}""";
        String newer = older.replace("\"type\"", "\"action\"").replace("deployment_info", "deployment_step_failure");

        MarathonEvent a = MarathonEvent.parse("deployment_info", older);
        MarathonEvent b = MarathonEvent.parse("deployment_step_failure", newer);

        assertThat(a).isEqualTo(new MarathonEvent.DeploymentStep("deployment_info", "2014-03-01T23:29:30.158Z",
                "867ed450-f6a8-4d33-9b0e-e11c5513990b", "2014-03-01T23:24:14.846Z",
                List.of(new DeploymentAction("ScaleApplication", "/my-app"))));
        assertThat(((MarathonEvent.DeploymentStep) b).currentActions()).containsExactly(new DeploymentAction("ScaleApplication", "/my-app"));
        assertThat(((MarathonEvent.DeploymentStep) b).failed()).isTrue();
    }

    @Test
    void healthEventReadsInstanceIdOrTheOlderTaskId() {
        MarathonEvent newer = MarathonEvent.parse("health_status_changed_event", """
                {"eventType": "health_status_changed_event", "timestamp": "2014-03-01T23:29:30.158Z", "appId": "/my-app",
                 "instanceId": "my-app.instance-c7c311a4-b669-11e6-a48f-0ea4f4b1778c", "version": "2014-03-01T23:29:30.158Z", "alive": true}""");
        MarathonEvent older = MarathonEvent.parse("health_status_changed_event", """
                {"eventType": "health_status_changed_event", "timestamp": "2014-03-01T23:29:30.158Z", "appId": "/my-app",
                 "taskId": "my-app_0-1396592784349", "version": "2014-03-01T23:29:30.158Z", "alive": false}""");

        assertThat(newer).isEqualTo(new MarathonEvent.HealthChanged("health_status_changed_event", "2014-03-01T23:29:30.158Z",
                "/my-app", "my-app.instance-c7c311a4-b669-11e6-a48f-0ea4f4b1778c", "2014-03-01T23:29:30.158Z", true));
        assertThat(((MarathonEvent.HealthChanged) older).instanceId()).isEqualTo("my-app_0-1396592784349");
        assertThat(((MarathonEvent.HealthChanged) older).alive()).isFalse();
    }

    @Test
    void statusUpdatesKnowTerminalStates() {
        MarathonEvent failed = MarathonEvent.parse("status_update_event", """
                {"slaveId": "20150707-153709-218108076-5050-25588-S6", "taskId": "foo.0664256e", "taskStatus": "TASK_FAILED",
                 "message": "Failed to launch container", "appId": "/foo", "host": "srv5", "ports": [31776],
                 "version": "2015-09-30T09:09:17.614Z", "eventType": "status_update_event", "timestamp": "2015-09-30T12:44:45.681Z"}""");

        assertThat(failed).isInstanceOfSatisfying(MarathonEvent.StatusUpdate.class, s -> {
            assertThat(s.terminal()).isTrue();
            assertThat(s.appId()).isEqualTo("/foo");
            assertThat(s.slaveId()).isEqualTo("20150707-153709-218108076-5050-25588-S6");
        });
    }

    @Test
    void deploymentFinishedAndUnknownAndBrokenEventsAreKept() {
        assertThat(MarathonEvent.parse("deployment_success",
                "{\"id\": \"d1\", \"eventType\": \"deployment_success\", \"timestamp\": \"t\"}"))
                .isEqualTo(new MarathonEvent.DeploymentFinished("deployment_success", "t", "d1", true));
        assertThat(MarathonEvent.parse("group_change_success", "{\"eventType\": \"group_change_success\", \"groupId\": \"/\"}"))
                .isInstanceOfSatisfying(MarathonEvent.Other.class, o -> assertThat(o.raw().get("groupId").asText()).isEqualTo("/"));
        assertThat(MarathonEvent.parse("deployment_success", "{\"id\": \"d1\", \"eventTy"))
                .isInstanceOf(MarathonEvent.Other.class);
    }
}
