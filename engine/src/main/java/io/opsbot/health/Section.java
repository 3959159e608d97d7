package io.opsbot.health;

import java.util.List;

/**
 * A part of a report: a heading and lines. When a list is long, {@code lines} is its summary (counts and the worst
 * ones) and {@code full} the whole list, which renderers put where it fits (a thread reply or a file in Slack, in full
 * on the console); {@code full} is empty when {@code lines} says it all.
 *
 * @param key       a stable name ("agents", "apps", "changes", "incidents"…)
 * @param monospace lines to show as code (tables, bars)
 */
public record Section(String key, String heading, List<String> lines, List<String> full, boolean monospace) {

    public Section {
        lines = List.copyOf(lines);
        full = List.copyOf(full);
    }

    public Section(String key, String heading, List<String> lines) {
        this(key, heading, lines, List.of(), false);
    }

    public boolean summarized() {
        return !full.isEmpty();
    }

    /**
     * A section of {@code all} lines that shows at most {@code shown} of them (the first, so order them worst first),
     * with "… and N more" and the whole list in {@link #full()}.
     */
    public static Section bounded(String key, String heading, List<String> head, List<String> all, int shown) {
        if (all.size() <= shown) {
            List<String> lines = new java.util.ArrayList<>(head);
            lines.addAll(all);
            return new Section(key, heading, lines, List.of(), false);
        }
        List<String> lines = new java.util.ArrayList<>(head);
        lines.addAll(all.subList(0, shown));
        lines.add("… and " + (all.size() - shown) + " more (the full list comes with the report)");
        return new Section(key, heading, lines, all, false);
    }
}
