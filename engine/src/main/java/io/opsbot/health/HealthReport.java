package io.opsbot.health;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One health report of the cluster, whatever renders it (Block Kit, plain text, the console's text chart, a PNG):
 * the verdict first, then sections, then the data the charts draw.
 *
 * @param since           the start of the window "since the last report" looks back over
 * @param problems        everything that needs a person, worst first; empty means all good
 * @param sections        agents, apps, changes, network, storage, opsbot itself… in the order shown; a feature adds
 *                        its own through {@link SectionSource} (incidents)
 * @param agents          resource use per agent, for the charts
 * @param failuresPerHour task failures per hour over the window (hour start → count); empty when there were none
 * @param timing          when the report was due and when it was sent, for scheduled reports; null for {@code report now}
 */
public record HealthReport(String title, Instant generatedAt, Instant since, boolean emulated, List<Problem> problems,
                           List<Section> sections, List<AgentUsage> agents, SortedMap<Instant, Integer> failuresPerHour,
                           Duration buildTime, Timing timing) {

    public HealthReport {
        problems = List.copyOf(problems);
        sections = List.copyOf(sections);
        agents = List.copyOf(agents);
        failuresPerHour = new TreeMap<>(failuresPerHour);
    }

    /** "✅ All good" or "⚠️ 3 problems". */
    public String verdict() {
        return problems.isEmpty() ? "✅ All good"
                : "⚠️ " + problems.size() + (problems.size() == 1 ? " problem" : " problems");
    }

    public HealthReport withTiming(Timing value) {
        return new HealthReport(title, generatedAt, since, emulated, problems, sections, agents, failuresPerHour,
                buildTime, value);
    }

    /** Task failures per hour, unmodifiable. */
    public Map<Instant, Integer> failures() {
        return java.util.Collections.unmodifiableSortedMap(failuresPerHour);
    }

    /**
     * When a scheduled report was due and when it went out.
     *
     * @param scheduleId the schedule that fired it
     * @param missed     how many earlier fires were missed while no opsbot ran (they are not sent one by one)
     */
    public record Timing(String scheduleId, Instant due, Instant sent, boolean late, int missed) {}
}
