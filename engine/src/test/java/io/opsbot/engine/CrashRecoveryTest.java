package io.opsbot.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real crash: a child JVM is killed -9 in the middle of a step; recovery finishes its work exactly once. */
class CrashRecoveryTest {

    @TempDir
    Path dir;

    private Process child;

    @AfterEach
    void killChild() throws InterruptedException {
        if (child != null && child.isAlive()) {
            child.destroyForcibly();
            child.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private Path journalFile() {
        return dir.resolve("journal");
    }

    private Process startChild(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"),
                "-Xshare:auto", "-XX:TieredStopAtLevel=1",
                CrashingChild.class.getName()));
        command.addAll(List.of(args));
        File log = dir.resolve("child.log").toFile();
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log).start();
    }

    /** Starts the child, waits until it stands inside step 2, and kills it there. */
    private void crashInsideStep2(CrashScenario.StopAt stopAt) throws Exception {
        child = startChild("run", journalFile().toString(), dir.toString(), stopAt.name());
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20)).until(() -> {
            assertThat(child.isAlive()).as("child alive; its log: %s", childLog()).isTrue();
            return Files.exists(CrashScenario.marker(dir));
        });
        child.destroyForcibly();
        assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
    }

    private String childLog() throws Exception {
        Path log = dir.resolve("child.log");
        return Files.exists(log) ? Files.readString(log) : "";
    }

    private Outcome recover(JdbcJournal journal) {
        Replanner replanner = entry -> {
            assertThat(entry.origin()).isEqualTo(CrashScenario.ORIGIN);
            return CrashScenario.operation(dir, CrashScenario.StopAt.NOWHERE);
        };
        try (Engine engine = new Engine(journal, EngineSettings.defaults(), Clock.systemUTC())) {
            List<Outcome> outcomes = engine.recover(replanner, ProgressListener.NONE);
            assertThat(outcomes).hasSize(1);
            return outcomes.get(0);
        }
    }

    @Test
    void killedAfterTheSideEffectRecoveryFinishesWithoutRepeatingIt() throws Exception {
        crashInsideStep2(CrashScenario.StopAt.AFTER_THE_WRITE);
        assertThat(Files.readAllLines(CrashScenario.effects(dir))).containsExactly("alpha", "bravo");

        try (JdbcJournal journal = JdbcJournal.h2(journalFile())) {
            List<OperationEntry> leftOver = journal.unfinished();
            assertThat(leftOver).hasSize(1);
            String id = leftOver.get(0).id();
            assertThat(journal.steps(id)).extracting(StepEntry::index, StepEntry::state).endsWith(
                    org.assertj.core.groups.Tuple.tuple(1, StepState.APPLYING), org.assertj.core.groups.Tuple.tuple(1, StepState.VERIFYING));

            Outcome outcome = recover(journal);

            assertThat(outcome.operationId()).isEqualTo(id);
            assertThat(outcome.state()).as(outcome.message()).isEqualTo(Outcome.State.SUCCEEDED);
            // steps 1 and 2 made their writes before the crash: this operation's changes, not "nothing to do"
            assertThat(outcome.steps()).extracting(StepReport::result)
                    .containsExactly(StepResult.CHANGED, StepResult.CHANGED, StepResult.CHANGED);
            assertThat(outcome.steps().get(1).detail()).isEqualTo("bravo is missing (written before a restart); bravo is there");
            assertThat(outcome.message()).startsWith("resumed after a restart; done: changed 3 of 3 steps");
            OperationEntry entry = journal.find(id).orElseThrow();
            assertThat(entry.state()).isEqualTo("SUCCEEDED");
            assertThat(entry.wasRecovered()).isTrue();
            assertThat(journal.unfinished()).isEmpty();
        }
        assertThat(Files.readAllLines(CrashScenario.effects(dir))).containsExactly("alpha", "bravo", "charlie");
    }

    @Test
    void killedBeforeTheSideEffectRecoveryAppliesItOnce() throws Exception {
        crashInsideStep2(CrashScenario.StopAt.BEFORE_THE_WRITE);
        assertThat(Files.readAllLines(CrashScenario.effects(dir))).containsExactly("alpha");

        try (JdbcJournal journal = JdbcJournal.h2(journalFile())) {
            String id = journal.unfinished().get(0).id();
            assertThat(journal.steps(id)).extracting(StepEntry::state).last().isEqualTo(StepState.APPLYING);

            Outcome outcome = recover(journal);

            assertThat(outcome.operationId()).isEqualTo(id);
            assertThat(outcome.state()).as(outcome.message()).isEqualTo(Outcome.State.SUCCEEDED);
            assertThat(outcome.steps()).extracting(StepReport::result)
                    .containsExactly(StepResult.CHANGED, StepResult.CHANGED, StepResult.CHANGED);
            assertThat(outcome.steps().get(0).detail()).isEqualTo("alpha is missing (written before a restart); alpha is there");
        }
        assertThat(Files.readAllLines(CrashScenario.effects(dir))).containsExactly("alpha", "bravo", "charlie");
    }

    @Test
    void twoProcessesShareOneH2JournalFile() throws Exception {
        try (JdbcJournal journal = JdbcJournal.h2(journalFile())) {
            assertThat(journal.find("op-c0ffee")).isEmpty();

            child = startChild("record", journalFile().toString(), "op-c0ffee");
            assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();

            assertThat(child.exitValue()).as(childLog()).isZero();
            assertThat(journal.find("op-c0ffee")).get().extracting(OperationEntry::summary)
                    .isEqualTo("written by another process");
        }
        assertThat(org.h2.engine.SysProperties.BIND_ADDRESS).as("H2's sockets listen on loopback only").isEqualTo("127.0.0.1");
    }
}
