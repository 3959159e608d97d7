package io.opsbot.engine;

import java.util.List;

/**
 * A read-only answer (status, history, logs, drift) as sections of lines, so each chat renders it its own way:
 * Block Kit sections in Slack, plain text in the console.
 *
 * @param emulated the answer comes from the emulated cluster, and the output says so
 */
public record Report(String title, List<Section> sections, boolean emulated) {

    public Report {
        sections = List.copyOf(sections);
    }

    /** @param monospace lines to show as code (logs, diffs) */
    public record Section(String heading, List<String> lines, boolean monospace) {
        public Section {
            lines = List.copyOf(lines);
        }

        public Section(String heading, List<String> lines) {
            this(heading, lines, false);
        }
    }

    public int lineCount() {
        return sections.stream().mapToInt(s -> s.lines().size() + 1).sum();
    }
}
