package io.opsbot.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The harness with tiny counts (`./bench --quick`): every item it runs produces its rows in the report, with a figure,
 * a target and a verdict, and none fails to run. No figure is judged here (benchmarks are not tests). The bounded
 * suite runs item 4 (one Opsbot with its emulated cluster in this JVM) and the report around it: each other item
 * starts another bot, cluster, JMH run or whole process, too slow for the bounded suite on a busy 2-core machine (all
 * of them took 9 minutes there with tiny counts); with OPSBOT_LONG=true (`./run-tests --long`) every item runs, and
 * `./bench --quick` runs them all too.
 */
class BenchSmokeTest {

    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    private static final boolean LONG = "true".equals(System.getenv("OPSBOT_LONG"));

    @TempDir
    Path work;

    @Test
    void aQuickRunWritesARowWithAVerdictForEveryItemItRuns() throws Exception {
        List<String> items = new ArrayList<>(List.of("4"));
        if (LONG) {
            items.addAll(List.of("1", "2", "3", "5", "6", "7", "8", "9"));
        }
        Path out = work.resolve("BENCHMARKS.md");
        Files.writeString(out, "old figures\n" + Report.KEPT + "\nhand-written notes stay\n");

        int failed = Bench.run("--quick", "--only", String.join(",", items), "--repo", REPO.toString(), "--out", out.toString(),
                "--work", work.resolve("scratch").toString());

        String report = Files.readString(out);
        assertThat(failed).as(report).isZero();
        assertThat(report).doesNotContain("did not run to its end", "old figures")
                .contains("Quick run", "| machine | ", "| speed | `java -version` median ", "| JDK | ", "hand-written notes stay");
        List<String> rows = report.lines().filter(l -> l.matches("\\| \\d \\| .*")).toList();
        for (String item : items) {
            assertThat(rows).as("rows of item " + item).anyMatch(r -> r.startsWith("| " + item + " | "));
        }
        for (String row : rows) {
            String[] cells = row.split(" \\| ");
            assertThat(cells).as(row).hasSize(5);
            assertThat(cells[2]).as("a figure in " + row).isNotBlank();
            assertThat(cells[4]).as("a verdict in " + row).matches("(met|\\*\\*missed\\*\\*|—) \\|");
        }
        if (LONG) {
            assertThat(rows.stream().filter(r -> r.startsWith("| 1 | ")).count()).as("1, 10 and 50 concurrent, and JMH").isEqualTo(4);
        }
        assertThat(rows).anyMatch(r -> r.startsWith("| 4 | ") && r.contains("HTTP writes per run"));
    }
}
