package io.opsbot.bot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opsbot.bot.render.PlainText;
import io.opsbot.cluster.marathon.AppDefinitions;
import io.opsbot.cluster.marathon.MarathonClient;
import io.opsbot.cluster.mesos.Agent;
import io.opsbot.engine.ProgressListener;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** why APP against the local default: the sim's health checks, launch queue and offers, over HTTP. */
class WhyTest {

    @TempDir
    Path home;

    private static String say(Opsbot bot, String text) {
        return new PlainText().render(bot.dispatcher().handle(new Request(text, "tester", "console", false),
                ProgressListener.NONE));
    }

    @Test
    void whyNamesAnInjectedFailingHealthCheckAndSaysAWellAppIsWellInOneLine() {
        try (Opsbot bot = Opsbot.start(null, home)) {
            String well = say(bot, "why nginx");
            assertThat(well).contains("✅ nginx is well");
            assertThat(well.lines().count()).isLessThanOrEqualTo(3);

            SimControl sim = new SimControl(bot);
            sim.markFailing(sim.marathon().app("/nodeapp").image());
            // tasks fail their checks, are killed and replaced: one answer is looked at while a check fails
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(say(bot, "why nodeapp"))
                    .contains("health check failing on ", "consecutive failures", "last cause: HTTP 500")
                    .contains("wanted", "Next", "`logs nodeapp --since 30m`", "`restart nodeapp`"));
        }
    }

    @Test
    void whySaysADeploymentThatCannotBePlacedWaitsForOffersForWantOfMemoryAndOnWhichAgents() {
        try (Opsbot bot = Opsbot.start(null, home)) {
            SimControl sim = new SimControl(bot);
            MarathonClient marathon = sim.marathon();
            // someone at the Marathon UI asks for more memory than any agent has
            double most = sim.mesos().state().agents().stream().mapToDouble(a -> a.total().mem()).max().orElseThrow();
            ObjectNode definition = (ObjectNode) AppDefinitions.normalize(marathon.app("/nodeapp").raw());
            definition.put("mem", most * 2);
            marathon.updateApp("/nodeapp", definition, true);

            List<String> agents = sim.mesos().state().agents().stream().filter(Agent::active).map(Agent::hostname).toList();
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(say(bot, "why nodeapp"))
                    .contains("waits for offers", "insufficient memory").contains(agents));
            String answer = say(bot, "why nodeapp");
            System.out.println(answer);
            assertThat(answer).contains("Deployment", "no agent has the memory free", "changed outside opsbot");

            String changed = say(bot, "what changed");
            assertThat(changed).contains("outside opsbot", "nodeapp changed outside opsbot (Marathon version ");
        }
    }

    @Test
    void whyOfAnUnknownAppListsTheKnownOnes() {
        try (Opsbot bot = Opsbot.start(null, home)) {
            assertThat(say(bot, "why nodap")).contains("nodap").contains("nodeapp");
        }
    }
}
