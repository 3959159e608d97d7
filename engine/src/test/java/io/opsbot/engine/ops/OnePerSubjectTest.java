package io.opsbot.engine.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.opsbot.health.Problem;
import io.opsbot.health.Problem.Severity;
import java.util.List;
import org.junit.jupiter.api.Test;

class OnePerSubjectTest {

    @Test
    void anAppNoticedByTwoSectionsIsOneProblemWithTheWorstSeverityAndBothReasons() {
        List<Problem> merged = HealthReporter.onePerSubject(List.of(
                new Problem(Severity.WARNING, "nodeapp", "1 of 3 running", "why nodeapp"),
                new Problem(Severity.WARNING, "mongo", "differs from the catalog", "drift mongo"),
                new Problem(Severity.CRITICAL, "nodeapp", "open incident (task failures), 5 failures in 12m", "logs nodeapp"),
                new Problem(Severity.WARNING, "nodeapp", "1 of 3 running", null)));

        assertThat(merged).containsExactly(
                new Problem(Severity.CRITICAL, "nodeapp",
                        "1 of 3 running; open incident (task failures), 5 failures in 12m", "why nodeapp"),
                new Problem(Severity.WARNING, "mongo", "differs from the catalog", "drift mongo"));
    }

    @Test
    void distinctSubjectsStayAsTheyAreWorstFirst() {
        Problem agent = new Problem(Severity.CRITICAL, "node2", "agent down", "status node2");
        Problem app = new Problem(Severity.WARNING, "nginx", "0 of 1 running", "why nginx");
        assertThat(HealthReporter.onePerSubject(List.of(app, agent))).containsExactly(agent, app);
    }
}
