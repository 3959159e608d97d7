package io.opsbot.bot.render;

import io.opsbot.engine.Report;
import io.opsbot.health.AgentUsage;
import io.opsbot.health.HealthReport;
import io.opsbot.health.Problem;
import io.opsbot.health.Section;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A health report as text: the verdict, the sections, and the chart as text bars. The console prints it whole;
 * {@link #asReport} gives the sectioned answer every chat renders.
 */
public final class HealthText {

    static final int BAR_WIDTH = 20;
    /** Hours of task failures a text chart shows; the PNG shows the whole window. */
    private static final int HOURS_SHOWN = 24;

    private final ZoneId zone;

    public HealthText(ZoneId zone) {
        this.zone = zone;
    }

    /** The whole report as plain text, with the full lists where sections summarize ({@code full}). */
    public String render(HealthReport report, boolean full) {
        return new PlainText().report(asReport(report, full));
    }

    public Report asReport(HealthReport report, boolean full) {
        DateTimeFormatter at = DateTimeFormatter.ofPattern("MMM d HH:mm", Locale.ROOT).withZone(zone);
        List<Report.Section> sections = new ArrayList<>();
        List<String> verdict = new ArrayList<>();
        List<Problem> problems = report.problems();
        int shown = full ? problems.size() : Math.min(problems.size(), io.opsbot.engine.ops.HealthReporter.PROBLEMS_SHOWN);
        problems.subList(0, shown).forEach(p -> verdict.add(p.line()));
        if (shown < problems.size()) {
            verdict.add("… and " + (problems.size() - shown) + " more problems (the full list comes with the report)");
        }
        String late = lateLine(report);
        if (late != null) {
            verdict.add(late);
        }
        sections.add(new Report.Section(report.verdict(), verdict));
        for (Section s : report.sections()) {
            List<String> lines = full && s.summarized() ? s.full() : s.lines();
            sections.add(new Report.Section(s.heading(), lines, s.monospace()));
        }
        List<String> chart = bars(report.agents(), full ? Integer.MAX_VALUE : io.opsbot.engine.ops.HealthReporter.SHOWN);
        if (!chart.isEmpty()) {
            sections.add(new Report.Section("Resource use per agent (% of total)", chart, true));
        }
        if (!report.failuresPerHour().isEmpty()) {
            sections.add(new Report.Section("Task failures per hour", failureBars(report.failures()), true));
        }
        String title = report.title() + " — " + at.format(report.generatedAt()) + " (built in "
                + report.buildTime().toMillis() + " ms)";
        return new Report(title, sections, report.emulated());
    }

    /** "due 09:00, sent 11:12 (late: no opsbot ran at 09:00; 3 earlier times missed)" or null when on time. */
    public String lateLine(HealthReport report) {
        HealthReport.Timing t = report.timing();
        if (t == null || !t.late()) {
            return null;
        }
        DateTimeFormatter hm = DateTimeFormatter.ofPattern(
                t.due().atZone(zone).toLocalDate().equals(t.sent().atZone(zone).toLocalDate()) ? "HH:mm:ss" : "MMM d HH:mm:ss",
                Locale.ROOT).withZone(zone);
        return "🕒 late: due " + hm.format(t.due()) + ", sent " + hm.format(t.sent()) + " (no opsbot was running when it was due"
                + (t.missed() > 0 ? "; " + t.missed() + " earlier time" + (t.missed() == 1 ? " was" : "s were") + " missed too, not sent one by one" : "")
                + ")";
    }

    /** One block of three bars per agent: cpu, mem, disk as % of its total. */
    public static List<String> bars(List<AgentUsage> agents, int limit) {
        List<String> lines = new ArrayList<>();
        int width = agents.stream().mapToInt(a -> a.hostname().length()).max().orElse(4);
        int n = 0;
        for (AgentUsage a : agents) {
            if (n++ >= limit) {
                lines.add("… " + (agents.size() - limit) + " more agents");
                break;
            }
            String name = String.format(Locale.ROOT, "%-" + width + "s", a.hostname());
            String blank = " ".repeat(width);
            lines.add(name + " cpu  " + bar(a.cpuPercent()) + (a.up() ? "" : "  DOWN"));
            lines.add(blank + " mem  " + bar(a.memPercent()));
            lines.add(blank + " disk " + bar(a.diskPercent()));
        }
        return lines;
    }

    static String bar(double percent) {
        int filled = (int) Math.round(percent / 100 * BAR_WIDTH);
        return "█".repeat(filled) + "░".repeat(BAR_WIDTH - filled) + String.format(Locale.ROOT, " %3.0f%%", percent);
    }

    private List<String> failureBars(Map<java.time.Instant, Integer> perHour) {
        int max = perHour.values().stream().mapToInt(Integer::intValue).max().orElse(1);
        DateTimeFormatter hour = DateTimeFormatter.ofPattern("MMM d HH:00", Locale.ROOT).withZone(zone);
        List<Map.Entry<java.time.Instant, Integer>> entries = new ArrayList<>(perHour.entrySet());
        List<Map.Entry<java.time.Instant, Integer>> last = entries.subList(Math.max(0, entries.size() - HOURS_SHOWN), entries.size());
        List<String> lines = new ArrayList<>();
        for (Map.Entry<java.time.Instant, Integer> e : last) {
            int filled = Math.max(1, (int) Math.round((double) e.getValue() / max * BAR_WIDTH));
            lines.add(hour.format(e.getKey()) + " " + "█".repeat(filled) + " " + e.getValue());
        }
        return lines;
    }
}
