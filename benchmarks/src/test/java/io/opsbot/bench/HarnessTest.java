package io.opsbot.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import okhttp3.FormBody;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The harness's own bookkeeping, without a bot: what an item that stops part-way writes, and item 9's count of ends. */
class HarnessTest {

    @TempDir
    Path work;

    /** An item whose second part fails: the figures of its first part are in the report, beside why it stopped. */
    @Test
    void anItemThatStopsPartWayWritesTheFiguresItMeasuredAndWhy() throws Exception {
        Benchmark partly = new Benchmark() {
            @Override
            public String item() {
                return "9";
            }

            @Override
            public String title() {
                return "Partly";
            }

            @Override
            public Duration budget() {
                return Duration.ofSeconds(10);
            }

            @Override
            public Result run(Context ctx) throws Exception {
                Result before = new Result(List.of(new Row("9", "start to ready", "1.23 s (one start)", "< 2 s", Row.Verdict.MET)),
                        List.of("How the start was measured."));
                throw new PartlyRun("the load part", before, new IllegalStateException("waited 180 s for the load"));
            }
        };
        Path out = work.resolve("BENCHMARKS.md");

        int failed = Bench.run(List.of(partly), "--out", out.toString(), "--work", work.resolve("scratch").toString(),
                "--repo", work.toString());

        String report = Files.readString(out);
        assertThat(failed).isEqualTo(1);
        assertThat(report).contains("| 9 | start to ready | 1.23 s (one start) | < 2 s | met |",
                "| 9 | the load part | did not run to its end: IllegalStateException: waited 180 s for the load | — | **missed** |",
                "How the start was measured.");
    }

    /** An operation that ended before its message's first send shows its end in the post itself: it is counted. */
    @Test
    void anOperationsEndIsCountedWhetherItsPostOrAnEditShowsIt() throws Exception {
        try (FakeSlack slack = new FakeSlack()) {
            OkHttpClient http = new OkHttpClient();
            // app001: posted while running, then edited to its end; app002: its end in the post, never edited
            call(http, slack, "chat.postMessage", "text", "scale app001 2 — 0%");
            call(http, slack, "chat.update", "ts", "1001.000100", "text", ":white_check_mark: scale app001 2 succeeded");
            call(http, slack, "chat.postMessage", "text", ":white_check_mark: scale app002 2 succeeded");
            call(http, slack, "chat.postMessage", "text", "scale app003 1 — 50%");
            call(http, slack, "chat.postMessage", "text", "Help");

            FootprintBench.Finals finals = FootprintBench.Finals.of(slack);

            assertThat(finals.messages()).isEqualTo(3);
            assertThat(finals.ended()).isEqualTo(2);
            assertThat(finals.finalWrites()).isEqualTo(2);
        }
    }

    private static void call(OkHttpClient http, FakeSlack slack, String method, String... params) throws Exception {
        FormBody.Builder form = new FormBody.Builder().add("channel", "C0OPS");
        for (int i = 0; i < params.length; i += 2) {
            form.add(params[i], params[i + 1]);
        }
        try (Response r = http.newCall(new Request.Builder().url(slack.apiUrl() + method).post(form.build()).build()).execute()) {
            assertThat(r.code()).isEqualTo(200);
        }
    }
}
