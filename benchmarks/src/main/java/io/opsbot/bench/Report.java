package io.opsbot.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Writes BENCHMARKS.md: the machine, JDK, command and date, one table of every figure beside its target, then each
 * item's notes. Whatever follows {@link #KEPT} in the existing file (hand-written analysis: what was tried, before and
 * after) is carried over unchanged.
 */
final class Report {

    static final String KEPT = "<!-- Everything below this line is written by hand and kept by ./bench. -->";

    record Section(String item, String title, Benchmark.Result result, Duration took) {}

    private final List<Section> sections = new ArrayList<>();

    void add(Section section) {
        sections.add(section);
    }

    List<Row> rows() {
        return sections.stream().flatMap(s -> s.result().rows().stream()).toList();
    }

    String render(Machine machine, String command, boolean quick, Duration total, String kept) {
        StringBuilder out = new StringBuilder();
        out.append("# Benchmarks\n\n");
        out.append("Written by `").append(command).append("` — do not edit above the marked line; rerun it instead")
                .append(" (README: Benchmarks). Targets are issue 13's.\n\n");
        if (quick) {
            out.append("> **Quick run** (`--quick`): tiny counts that only show the harness works. These are not figures.\n\n");
        }
        out.append("| | |\n|---|---|\n");
        out.append("| date | ").append(ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'"))).append(" |\n");
        out.append("| machine | ").append(machine.describe()).append(" |\n");
        out.append("| speed | ").append(machine.speed()).append(" |\n");
        out.append("| load | ").append(machine.loadLine()).append(" |\n");
        out.append("| JDK | ").append(machine.jdk()).append(" |\n");
        out.append("| commit | ").append(machine.commit()).append(" |\n");
        out.append("| command | `").append(command).append("` (all items, ").append(Math.round(total.toSeconds())).append(" s) |\n\n");
        if (machine.busy()) {
            out.append("> The machine was busy while this ran (load average above its ").append(machine.cpus())
                    .append(" CPUs: other builds and tests). Every figure is pessimistic: on an idle machine of this size they are lower.\n\n");
        }
        out.append("| # | what | figure | target | verdict |\n|---|---|---|---|---|\n");
        for (Section s : sections) {
            for (Row r : s.result().rows()) {
                out.append("| ").append(r.item()).append(" | ").append(cell(r.what())).append(" | ").append(cell(r.figure()))
                        .append(" | ").append(cell(r.target())).append(" | ").append(r.verdict().text).append(" |\n");
            }
        }
        out.append("\n## How each item is measured\n");
        for (Section s : sections) {
            out.append("\n### ").append(s.item()).append(". ").append(s.title()).append("\n\n");
            for (String note : s.result().notes()) {
                out.append(note).append("\n\n");
            }
            out.append("(").append(Math.round(s.took().toMillis() / 100.0) / 10.0).append(" s)\n");
        }
        out.append("\n## How to reproduce\n\n");
        out.append("`./bench` from the repository root (installs what it needs as root: a JDK, Maven, Ansible, GNU time; builds with\n")
                .append("Maven when sources changed; under 10 minutes: each item has a time budget). `./bench --quick` runs every item with tiny counts (a smoke run, no figures);\n")
                .append("`./bench --only 4,6` runs some items. The code is in `benchmarks/` (`io.opsbot.bench`).\n\n");
        out.append(KEPT).append("\n");
        if (kept != null && !kept.isBlank()) {
            out.append(kept.startsWith("\n") ? kept : "\n" + kept);
        }
        return out.toString();
    }

    /** What follows the kept marker in an existing BENCHMARKS.md, or "". */
    static String kept(Path file) throws IOException {
        if (!Files.exists(file)) {
            return "";
        }
        String text = Files.readString(file);
        int at = text.indexOf(KEPT);
        return at < 0 ? "" : text.substring(at + KEPT.length());
    }

    private static String cell(String s) {
        return s.replace("|", "\\|").replace("\n", " ");
    }

    static String ms(double ms) {
        if (ms >= 10_000) {
            return String.format(Locale.ROOT, "%.1f s", ms / 1000);
        }
        if (ms >= 1000) {
            return String.format(Locale.ROOT, "%.2f s", ms / 1000);
        }
        if (ms >= 100) {
            return String.format(Locale.ROOT, "%.0f ms", ms);
        }
        if (ms >= 10) {
            return String.format(Locale.ROOT, "%.1f ms", ms);
        }
        if (ms >= 1) {
            return String.format(Locale.ROOT, "%.2f ms", ms);
        }
        return String.format(Locale.ROOT, "%.1f µs", ms * 1000);
    }

    static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.0f MiB", bytes / 1024.0 / 1024.0);
    }
}
