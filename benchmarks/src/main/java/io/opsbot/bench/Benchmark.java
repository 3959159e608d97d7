package io.opsbot.bench;

import java.util.List;

/** One item of the table: runs, and returns its rows and what a reader needs to judge them. */
interface Benchmark {

    /** The item's number in the table, e.g. "1". */
    String item();

    String title();

    Result run(Context context) throws Exception;

    /** @param notes how it was measured and anything that qualifies the figures, one paragraph each */
    record Result(List<Row> rows, List<String> notes) {
        public Result {
            rows = List.copyOf(rows);
            notes = List.copyOf(notes);
        }
    }
}
