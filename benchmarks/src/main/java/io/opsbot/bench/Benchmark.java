package io.opsbot.bench;

import java.time.Duration;
import java.util.List;

/** One item of the table: runs, and returns its rows and what a reader needs to judge them. */
interface Benchmark {

    /** The item's number in the table, e.g. "1". */
    String item();

    String title();

    Result run(Context context) throws Exception;

    /**
     * The time its rounds may take on a 2-core machine ({@link Context#enough}); the harness stops waiting for the item
     * at {@link Bench#HARD_BOUND_FACTOR} times this (and its start-up) and writes it as not run to its end.
     */
    Duration budget();

    /** The item could not run to its end, but measured some figures first: they are written, with why it stopped. */
    final class PartlyRun extends Exception {
        final Result result;

        PartlyRun(String why, Result result, Throwable cause) {
            super(why, cause);
            this.result = result;
        }
    }

    /** @param notes how it was measured and anything that qualifies the figures, one paragraph each */
    record Result(List<Row> rows, List<String> notes) {
        public Result {
            rows = List.copyOf(rows);
            notes = List.copyOf(notes);
        }
    }
}
