package io.opsbot.bench;

/**
 * One line of BENCHMARKS.md's table.
 *
 * @param item    the item number and the case, e.g. "1 (50 concurrent)"
 * @param what    what was measured
 * @param figure  the figures, e.g. "median 3.1 ms, p99 9.8 ms (n=500)"
 * @param target  the target as the issue states it, or "—"
 * @param verdict met, missed, or none when the row has no target of its own
 */
record Row(String item, String what, String figure, String target, Verdict verdict) {

    enum Verdict {
        MET("met"), MISSED("**missed**"), NONE("—");

        final String text;

        Verdict(String text) {
            this.text = text;
        }

        static Verdict of(boolean met) {
            return met ? MET : MISSED;
        }
    }
}
