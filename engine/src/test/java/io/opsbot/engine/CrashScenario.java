package io.opsbot.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;

/**
 * "deploy crashapp": three steps, each appending one line to a file unless it is there already. A child JVM
 * runs it and stops (signalling through a marker file) at a chosen point inside step 2, where the test kills it.
 */
final class CrashScenario {

    static final Origin ORIGIN = new Origin("U123", "C1", "deploy crashapp");
    static final List<String> LINES = List.of("alpha", "bravo", "charlie");

    enum StopAt {
        /** run to the end */
        NOWHERE,
        /** in step 2's apply, before the line is written */
        BEFORE_THE_WRITE,
        /** in step 2's verify, after the line is written */
        AFTER_THE_WRITE
    }

    private CrashScenario() {}

    static Path effects(Path dir) {
        return dir.resolve("effects.txt");
    }

    static Path marker(Path dir) {
        return dir.resolve("reached");
    }

    static Operation operation(Path dir, StopAt stopAt) {
        return new Operation("deploy", "deploy crashapp", List.of("app:/crashapp"), List.of(
                new AppendLine(dir, LINES.get(0), StopAt.NOWHERE),
                new AppendLine(dir, LINES.get(1), stopAt),
                new AppendLine(dir, LINES.get(2), StopAt.NOWHERE)));
    }

    private record AppendLine(Path dir, String line, StopAt stopAt) implements Step {

        @Override
        public String description() {
            return "append " + line;
        }

        @Override
        public Check check() throws IOException {
            Path file = effects(dir);
            boolean there = Files.exists(file) && Files.readAllLines(file).contains(line);
            return there ? Check.inSync(line + " is there") : Check.drift(line + " is missing");
        }

        @Override
        public void apply(StepContext context) throws Exception {
            if (stopAt == StopAt.BEFORE_THE_WRITE) {
                stopHere();
            }
            Files.writeString(effects(dir), line + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.SYNC);
        }

        @Override
        public void verify(StepContext context) throws Exception {
            if (stopAt == StopAt.AFTER_THE_WRITE) {
                stopHere();
            }
            Step.super.verify(context);
        }

        private void stopHere() throws InterruptedException {
            try {
                Files.writeString(marker(dir), description());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Thread.sleep(Duration.ofSeconds(60).toMillis()); // the test kills us long before
        }

        @Override
        public Duration timeout() {
            return Duration.ofMinutes(2);
        }
    }
}
