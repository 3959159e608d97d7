package io.opsbot.bot.slack;

import static org.assertj.core.api.Assertions.assertThat;

import com.slack.api.model.block.HeaderBlock;
import com.slack.api.model.block.LayoutBlock;
import com.slack.api.model.block.SectionBlock;
import io.opsbot.bot.render.BlockKit;
import io.opsbot.bot.render.OperationView;
import io.opsbot.bot.render.OperationView.StepLine;
import io.opsbot.bot.render.OperationView.StepStatus;
import io.opsbot.engine.Outcome;
import io.opsbot.engine.Report;
import io.opsbot.engine.StepReport;
import io.opsbot.engine.StepResult;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Block Kit output stays within Slack's limits and says what it left out. */
class BlockKitLimitsTest {

    final BlockKit kit = new BlockKit();

    @Test
    void aLongReportShowsItsStartAndHandsTheRestToTheThread() {
        List<String> lines = IntStream.rangeClosed(1, 1000).mapToObj(i -> "line " + i).toList();
        BlockKit.Message m = kit.report(new Report("logs nodeapp", List.of(new Report.Section("nodeapp", lines, true)), false));

        assertWithinLimits(m.blocks());
        String shown = text(m.blocks());
        assertThat(shown).contains("line 1\n", "line 39").doesNotContain("line 40\n").contains("… (961 more lines in the thread)");
        assertThat(m.overflow()).hasSize(961).startsWith("line 40").endsWith("line 1000");
    }

    @Test
    void hugeLinesAndManySectionsStayWithinFiftyBlocksAndThreeThousandCharacters() {
        List<Report.Section> sections = IntStream.range(0, 120)
                .mapToObj(i -> new Report.Section("section " + i, List.of("x".repeat(5000)), i % 2 == 0)).toList();
        BlockKit.Message m = kit.report(new Report("h".repeat(400), sections, true));

        assertWithinLimits(m.blocks());
        assertThat(((HeaderBlock) m.blocks().get(0)).getText().getText()).hasSize(BlockKit.MAX_HEADER_TEXT).endsWith("…");
        assertThat(m.overflow()).isNotEmpty();
        assertThat(text(m.blocks())).contains("more lines in the thread");
    }

    @Test
    void aThreadReplyKeepsAtMostTwoHundredLinesAndReturnsTheRest() {
        List<String> lines = IntStream.rangeClosed(1, 300).mapToObj(i -> "log line " + i).toList();
        BlockKit.Message m = kit.threadReply(lines, "note");

        assertWithinLimits(m.blocks());
        assertThat(m.overflow()).hasSize(100).startsWith("log line 201");
    }

    @Test
    void aFailedOperationSaysWhatFailedWhyAndWhatStateTheClusterIsIn() {
        Outcome outcome = new Outcome("op-3", "deploy nodeapp", Outcome.State.FAILED, List.of(
                new StepReport(0, "build image", StepResult.CHANGED, "built nodeapp:1.5", Duration.ofSeconds(40)),
                new StepReport(1, "update Marathon app", StepResult.CHANGED, "image 1.4 → 1.5", Duration.ofSeconds(1)),
                new StepReport(2, "watch deployment", StepResult.FAILED, "0 of 2 tasks healthy after 5m", Duration.ofMinutes(5)),
                new StepReport(3, "verify", StepResult.SKIPPED, null, Duration.ZERO)),
                "health checks failed; rolled back to 1.4", Duration.ofMinutes(6));
        OperationView.Snapshot s = new OperationView.Snapshot("deploy nodeapp", "op-3", List.of(
                new StepLine("build image", StepStatus.CHANGED, "built nodeapp:1.5", Duration.ofSeconds(40), 1),
                new StepLine("update Marathon app", StepStatus.CHANGED, "image 1.4 → 1.5", Duration.ofSeconds(1), 1),
                new StepLine("watch deployment", StepStatus.FAILED, "0 of 2 tasks healthy after 5m", Duration.ofMinutes(5), 1),
                new StepLine("verify", StepStatus.SKIPPED, null, Duration.ZERO, 1)), null, outcome, true);

        BlockKit.Message m = kit.progress(s, "UOPS", null, true);

        String shown = text(m.blocks());
        assertThat(shown).contains(":x: *failed* in 6m — `ok=0 changed=2 failed=1 skipped=1`",
                "*What failed:* step 3 watch deployment — 0 of 2 tasks healthy after 5m",
                "*Why:* health checks failed; rolled back to 1.4",
                "*Cluster left:* changed by 1. build image, 2. update Marathon app; not run: 4. verify",
                ":x: *failed*  3. watch deployment", "_(40.0s)_", "`████████████████████` 100%");
        assertThat(m.blocks()).noneMatch(b -> b instanceof com.slack.api.model.block.ActionsBlock);
        assertThat(m.text()).isEqualTo(":x: deploy nodeapp failed");
    }

    @Test
    void whyIsEscapedAndOnlyTheRequesterItNamesBecomesAMention() {
        Outcome outcome = new Outcome("op-4", "scale nodeapp 3", Outcome.State.REFUSED, List.of(),
                "nodeapp is busy: op-1 'deploy <!channel>' started by U0ALICE at 12:00 & cancelled by W0BOB", Duration.ofSeconds(1));
        OperationView.Snapshot s = new OperationView.Snapshot("scale nodeapp 3", "op-4", List.of(), null, outcome, false);

        String shown = text(kit.progress(s, "UOPS", null, false).blocks());

        assertThat(shown).contains("*Why:* nodeapp is busy: op-1 'deploy &lt;!channel&gt;' started by <@U0ALICE> at 12:00"
                + " &amp; cancelled by <@W0BOB>").doesNotContain("<!channel>");
    }

    @Test
    void userTextIsEscapedSoItCannotMentionOrLink() {
        BlockKit.Message m = kit.report(new Report("status", List.of(new Report.Section(null, List.of("<!channel> & <http://x|y>"))), false));

        assertThat(text(m.blocks())).contains("&lt;!channel&gt; &amp; &lt;http://x|y&gt;");
    }

    static void assertWithinLimits(List<LayoutBlock> blocks) {
        assertThat(blocks).hasSizeLessThanOrEqualTo(BlockKit.MAX_BLOCKS);
        for (LayoutBlock b : blocks) {
            if (b instanceof SectionBlock s) {
                assertThat(s.getText().getText()).hasSizeLessThanOrEqualTo(BlockKit.MAX_SECTION_TEXT);
            }
            if (b instanceof HeaderBlock h) {
                assertThat(h.getText().getText()).hasSizeLessThanOrEqualTo(BlockKit.MAX_HEADER_TEXT);
            }
        }
    }

    static String text(List<LayoutBlock> blocks) {
        StringBuilder out = new StringBuilder();
        for (LayoutBlock b : blocks) {
            if (b instanceof SectionBlock s) {
                out.append(s.getText().getText()).append('\n');
            } else if (b instanceof HeaderBlock h) {
                out.append(h.getText().getText()).append('\n');
            } else if (b instanceof com.slack.api.model.block.ContextBlock c) {
                c.getElements().forEach(e -> out.append(((com.slack.api.model.block.composition.MarkdownTextObject) e).getText()).append('\n'));
            }
        }
        return out.toString();
    }
}
