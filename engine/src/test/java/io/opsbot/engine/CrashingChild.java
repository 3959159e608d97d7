package io.opsbot.engine;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

/**
 * Runs in a child JVM started by {@link CrashRecoveryTest}.
 * <ul>
 *   <li>{@code run <journal file> <dir> <StopAt>}: applies "deploy crashapp", which stops inside step 2 until killed</li>
 *   <li>{@code record <journal file> <operation id>}: writes one finished operation into the journal and exits</li>
 * </ul>
 */
public final class CrashingChild {

    private CrashingChild() {}

    public static void main(String[] args) throws Exception {
        Path journalFile = Path.of(args[1]);
        try (JdbcJournal journal = JdbcJournal.h2(journalFile)) {
            if (args[0].equals("record")) {
                journal.operationStarted(new OperationEntry(args[2], "status", "status", CrashScenario.ORIGIN, List.of(),
                        "", OperationEntry.RUNNING, Instant.now(), null, null));
                journal.operationFinished(args[2], Outcome.State.SUCCEEDED, "written by another process");
                return;
            }
            Path dir = Path.of(args[2]);
            CrashScenario.StopAt stopAt = CrashScenario.StopAt.valueOf(args[3]);
            try (Engine engine = new Engine(journal, EngineSettings.defaults(), Clock.systemUTC())) {
                engine.apply(CrashScenario.operation(dir, stopAt), CrashScenario.ORIGIN, ProgressListener.NONE);
            }
        }
        System.exit(3); // not killed in time: the test has failed already; do not linger
    }
}
