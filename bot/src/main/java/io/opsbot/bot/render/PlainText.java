package io.opsbot.bot.render;

import io.opsbot.bot.Response;
import io.opsbot.config.Durations;
import io.opsbot.engine.Outcome;
import io.opsbot.engine.Plan;
import io.opsbot.engine.Report;
import io.opsbot.engine.StepReport;
import java.util.Locale;

/** Renders responses and progress as plain text: the console chat and {@code opsbot exec}. */
public final class PlainText {

    static final String EMULATED = "(emulated cluster)";
    private static final int BAR_WIDTH = 20;

    public String render(Response response) {
        if (response instanceof Response.Answer a) {
            return report(a.report());
        }
        if (response instanceof Response.Planned p) {
            return plan(p.plan(), "plan for '" + p.plan().operation().title() + "' (nothing changed)");
        }
        if (response instanceof Response.NeedsConfirmation c) {
            return plan(c.plan(), "'" + c.plan().operation().title() + "' needs confirmation: " + c.reason());
        }
        if (response instanceof Response.Finished f) {
            return outcome(f.outcome());
        }
        return "✗ " + ((Response.Rejected) response).message();
    }

    public String report(Report report) {
        StringBuilder out = new StringBuilder(report.title());
        if (report.emulated()) {
            out.append(' ').append(EMULATED);
        }
        out.append('\n');
        for (Report.Section section : report.sections()) {
            if (section.heading() != null && !section.heading().isEmpty()) {
                out.append('\n').append(section.heading()).append('\n');
            }
            for (String line : section.lines()) {
                out.append(section.monospace() ? "    " : "  ").append(line).append('\n');
            }
        }
        return out.toString().stripTrailing();
    }

    public String plan(Plan plan, String heading) {
        StringBuilder out = new StringBuilder(heading).append('\n');
        for (Plan.PlannedStep step : plan.steps()) {
            out.append(step.check().isInSync() ? "  ok      " : "  change  ").append(step.description());
            out.append("\n            ").append(step.check().text().replace("\n", "\n            ")).append('\n');
        }
        int steps = plan.steps().size();
        out.append(plan.changesNothing() ? "nothing to change" : "would change " + plan.steps().stream()
                .filter(s -> !s.check().isInSync()).count() + " of " + steps + (steps == 1 ? " step" : " steps"));
        return out.toString();
    }

    public String outcome(Outcome outcome) {
        StringBuilder out = new StringBuilder();
        out.append(symbol(outcome.state())).append(' ').append(outcome.title()).append(" [").append(outcome.operationId())
                .append("] ").append(outcome.state().name().toLowerCase(Locale.ROOT))
                .append(" in ").append(Durations.format(outcome.elapsed())).append('\n');
        for (StepReport step : outcome.steps()) {
            out.append("  ").append(String.format(Locale.ROOT, "%-8s", step.result().name().toLowerCase(Locale.ROOT)))
                    .append(step.description());
            if (step.detail() != null && !step.detail().isBlank()) {
                out.append(" — ").append(step.detail().replace("\n", "\n            "));
            }
            out.append(" (").append(Durations.format(step.elapsed())).append(")\n");
        }
        if (outcome.message() != null && !outcome.message().isBlank()) {
            out.append(outcome.message()).append('\n');
        }
        out.append(outcome.recap());
        return out.toString();
    }

    /**
     * One line for a progress display, with the operation's id once it has one:
     * "[######------] op-7f3a2c 2/3 set instances … 1 of 3 tasks healthy".
     */
    public String progressLine(OperationView.Snapshot s) {
        int filled = (int) Math.round(s.fraction() * BAR_WIDTH);
        StringBuilder out = new StringBuilder("[").append("#".repeat(filled)).append("-".repeat(BAR_WIDTH - filled)).append("] ");
        if (s.operationId() != null) {
            out.append(s.operationId()).append(' ');
        }
        if (s.waiting() != null) {
            return out.append(s.waiting()).toString();
        }
        for (int i = 0; i < s.steps().size(); i++) {
            OperationView.StepLine step = s.steps().get(i);
            if (step.status() == OperationView.StepStatus.RUNNING) {
                out.append(i + 1).append('/').append(s.steps().size()).append(' ').append(step.description());
                if (step.detail() != null) {
                    out.append(" — ").append(step.detail());
                }
                return out.toString();
            }
        }
        return out.append(s.title()).toString();
    }

    private static String symbol(Outcome.State state) {
        return switch (state) {
            case SUCCEEDED -> "✓";
            case FAILED -> "✗";
            case CANCELLED -> "■";
            case REFUSED -> "⧗";
        };
    }
}
