package io.opsbot.bench;

import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/** Latencies of one measured thing, in an HdrHistogram (nanoseconds, 3 significant digits, up to 10 minutes). */
final class Stats {

    private final Histogram histogram = new Histogram(TimeUnit.MINUTES.toNanos(10), 3);

    synchronized void record(long nanos) {
        histogram.recordValue(Math.max(0, Math.min(nanos, histogram.getHighestTrackableValue())));
    }

    synchronized long count() {
        return histogram.getTotalCount();
    }

    synchronized double medianMs() {
        return histogram.getValueAtPercentile(50) / 1e6;
    }

    synchronized double p99Ms() {
        return histogram.getValueAtPercentile(99) / 1e6;
    }

    synchronized double minMs() {
        return histogram.getMinValue() / 1e6;
    }

    synchronized double maxMs() {
        return histogram.getMaxValue() / 1e6;
    }

    /** "median 12.3 ms, p99 45.6 ms (n=100)" */
    String medianP99() {
        return "median " + Report.ms(medianMs()) + ", p99 " + Report.ms(p99Ms()) + " (n=" + count() + ")";
    }

    /** "min 1.2 s / median 1.4 s / max 2.0 s (n=7)" */
    String minMedianMax() {
        return "min " + Report.ms(minMs()) + " / median " + Report.ms(medianMs()) + " / max " + Report.ms(maxMs()) + " (n=" + count() + ")";
    }
}
