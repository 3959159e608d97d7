package io.opsbot.engine;

import java.time.Duration;

/** Pauses between retries; tests pass one that records the pauses instead of sleeping. */
@FunctionalInterface
public interface Sleeper {

    void sleep(Duration duration) throws InterruptedException;

    Sleeper REAL = duration -> Thread.sleep(duration.toMillis(), duration.toNanosPart() % 1_000_000);
}
