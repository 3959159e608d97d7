package io.opsbot.bench;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.util.Statistics;

/** Runs one JMH benchmark class in sample mode and gives its median and p99 (a quick run: no fork, short iterations). */
record JmhFigure(double medianUs, double p99Us, long samples) {

    static JmhFigure run(Class<?> benchmark, boolean quick) throws RunnerException {
        Options options = new OptionsBuilder()
                .include(benchmark.getName() + "\\.")
                .forks(quick ? 0 : 1)
                .warmupIterations(quick ? 1 : 2).warmupTime(TimeValue.milliseconds(quick ? 100 : 1000))
                .measurementIterations(quick ? 1 : 3).measurementTime(TimeValue.milliseconds(quick ? 200 : 1000))
                .shouldFailOnError(true)
                .verbosity(org.openjdk.jmh.runner.options.VerboseMode.SILENT)
                .build();
        RunResult result = new Runner(options).runSingle();
        Statistics s = result.getPrimaryResult().getStatistics();
        return new JmhFigure(s.getPercentile(50), s.getPercentile(99), s.getN());
    }

    String text() {
        return "median " + Report.ms(medianUs / 1000) + ", p99 " + Report.ms(p99Us / 1000) + " (JMH, " + samples + " samples)";
    }
}
