package io.opsbot.bot.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Timer;
import io.opsbot.bot.CommandHandler;
import io.opsbot.bot.Request;
import io.opsbot.bot.Response;
import io.opsbot.engine.LockHolder;
import io.opsbot.engine.Outcome;
import io.opsbot.engine.Plan;
import io.opsbot.engine.ProgressListener;
import io.opsbot.engine.Report;
import io.opsbot.engine.StepReport;
import io.opsbot.engine.StepResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class OpsMetricsTest {

    private static final List<String> VERBS = List.of("deploy", "scale", "status", "who", "cancel", "help");

    private final OpsMetrics metrics = new OpsMetrics(VERBS);

    /** Answers by the request's first word, as the dispatcher would. */
    private static final CommandHandler FAKE = (request, progress) -> {
        String text = request.text();
        if (text.startsWith("deploy")) {
            return finished(Outcome.State.SUCCEEDED);
        }
        if (text.startsWith("scale")) {
            return new Response.NeedsConfirmation(new Plan(null, List.of()), "it is destructive");
        }
        if (text.startsWith("status")) {
            return new Response.Answer(new Report("status", List.of(), true));
        }
        if (text.startsWith("cancel")) {
            return finished(Outcome.State.CANCELLED);
        }
        return new Response.Rejected("no such command");
    };

    @Test
    void commandsAreCountedByVerbAndOutcome() {
        CommandHandler handler = metrics.instrument(FAKE);

        handler.handle(request("deploy nodeapp"), ProgressListener.NONE);
        handler.handle(request("deploy mongo"), ProgressListener.NONE);
        handler.handle(request("scale nodeapp 0"), ProgressListener.NONE);
        handler.handle(request("status"), ProgressListener.NONE);
        handler.handle(request("cancel op-1"), ProgressListener.NONE);
        handler.handle(request("frobnicate everything"), ProgressListener.NONE);

        assertThat(commands("deploy", "succeeded")).isEqualTo(2.0);
        assertThat(commands("scale", "needs_confirmation")).isEqualTo(1.0);
        assertThat(commands("status", "answer")).isEqualTo(1.0);
        assertThat(commands("cancel", "cancelled")).isEqualTo(1.0);
        assertThat(commands("other", "rejected")).isEqualTo(1.0);
        assertThat(metrics.registry().get("opsbot.commands").counters())
                .extracting(c -> c.getId().getTag("verb"))
                .containsOnly("deploy", "scale", "status", "cancel", "other");
    }

    @Test
    void everyResponseTypeHasItsOwnOutcome() {
        assertThat(OpsMetrics.outcomeOf(new Response.Answer(new Report("t", List.of(), false)))).isEqualTo("answer");
        assertThat(OpsMetrics.outcomeOf(new Response.Planned(new Plan(null, List.of())))).isEqualTo("planned");
        assertThat(OpsMetrics.outcomeOf(new Response.NeedsConfirmation(new Plan(null, List.of()), "r")))
                .isEqualTo("needs_confirmation");
        assertThat(OpsMetrics.outcomeOf(new Response.Rejected("no"))).isEqualTo("rejected");
        assertThat(OpsMetrics.outcomeOf(finished(Outcome.State.SUCCEEDED))).isEqualTo("succeeded");
        assertThat(OpsMetrics.outcomeOf(finished(Outcome.State.FAILED))).isEqualTo("failed");
        assertThat(OpsMetrics.outcomeOf(finished(Outcome.State.CANCELLED))).isEqualTo("cancelled");
        assertThat(OpsMetrics.outcomeOf(finished(Outcome.State.REFUSED))).isEqualTo("refused");
    }

    @Test
    void theVerbIgnoresCaseTheOpsPrefixAndAMention() {
        assertThat(metrics.verbOf("DEPLOY nodeapp")).isEqualTo("deploy");
        assertThat(metrics.verbOf("/ops scale nodeapp 3")).isEqualTo("scale");
        assertThat(metrics.verbOf("<@U024BE7LH> status")).isEqualTo("status");
        assertThat(metrics.verbOf("<@U024BE7LH|opsbot>: /OPS who deployed nodeapp")).isEqualTo("who");
        assertThat(metrics.verbOf("  help  ")).isEqualTo("help");
    }

    @Test
    void anUnknownOrEmptyCommandIsTaggedOther() {
        assertThat(metrics.verbOf("deployy nodeapp")).isEqualTo("other");
        assertThat(metrics.verbOf("")).isEqualTo("other");
        assertThat(metrics.verbOf("/ops")).isEqualTo("other");
        assertThat(metrics.verbOf(null)).isEqualTo("other");
    }

    @Test
    void handlingTimeIsRecordedPerVerbAndOutcome() {
        CommandHandler slow = metrics.instrument((request, progress) -> {
            sleep(30);
            return finished(Outcome.State.SUCCEEDED);
        });

        slow.handle(request("deploy nodeapp"), ProgressListener.NONE);

        Timer timer = metrics.registry().get("opsbot.command.duration").tag("verb", "deploy")
                .tag("outcome", "succeeded").timer();
        assertThat(timer.count()).isEqualTo(1);
        assertThat(timer.totalTime(TimeUnit.MILLISECONDS)).isGreaterThanOrEqualTo(30.0);
    }

    @Test
    void aHandlerThatThrowsIsCountedAsErrorAndTheExceptionPassesThrough() {
        CommandHandler broken = metrics.instrument((request, progress) -> {
            throw new IllegalStateException("boom");
        });

        assertThatThrownBy(() -> broken.handle(request("deploy nodeapp"), ProgressListener.NONE))
                .isInstanceOf(IllegalStateException.class).hasMessage("boom");
        assertThat(commands("deploy", "error")).isEqualTo(1.0);
    }

    @Test
    void stepsAreCountedByResultAndTimedAndEveryCallIsForwarded() {
        Recording inner = new Recording();
        ProgressListener listener = metrics.steps(inner);

        listener.planned("op-1", new Plan(null, List.of()));
        listener.waitingForLock("app:nodeapp", null);
        listener.stepStarted(0, "build image");
        listener.stepProgress(0, 0.5, "half");
        listener.stepFinished(0, step(0, StepResult.CHANGED, Duration.ofSeconds(3)));
        listener.stepFinished(1, step(1, StepResult.OK, Duration.ofMillis(40)));
        listener.stepFinished(2, step(2, StepResult.FAILED, Duration.ofSeconds(1)));
        listener.stepFinished(3, step(3, StepResult.SKIPPED, Duration.ZERO));
        listener.stepFinished(4, step(4, StepResult.OK, Duration.ofMillis(60)));
        listener.finished(new Outcome("op-1", "deploy nodeapp", Outcome.State.FAILED, List.of(), "failed", Duration.ofSeconds(5)));

        assertThat(inner.calls).containsExactly("planned op-1", "waiting app:nodeapp", "started 0", "progress 0",
                "finished 0 CHANGED", "finished 1 OK", "finished 2 FAILED", "finished 3 SKIPPED", "finished 4 OK",
                "done FAILED");
        assertThat(steps("ok")).isEqualTo(2.0);
        assertThat(steps("changed")).isEqualTo(1.0);
        assertThat(steps("failed")).isEqualTo(1.0);
        assertThat(steps("skipped")).isEqualTo(1.0);
        Timer changed = metrics.registry().get("opsbot.step.duration").tag("result", "changed").timer();
        assertThat(changed.totalTime(TimeUnit.SECONDS)).isEqualTo(3.0);
        assertThat(metrics.registry().get("opsbot.step.duration").tag("result", "ok").timer()
                .totalTime(TimeUnit.MILLISECONDS)).isEqualTo(100.0);
        assertThat(metrics.registry().get("opsbot.operations").tag("state", "failed").counter().count()).isEqualTo(1.0);
    }

    @Test
    void stepsOfAnInstrumentedCommandAreCountedOnceEvenWhenTheListenerIsAlreadyWrapped() {
        Recording inner = new Recording();
        CommandHandler handler = metrics.instrument((request, progress) -> {
            progress.stepFinished(0, step(0, StepResult.CHANGED, Duration.ofMillis(5)));
            Outcome outcome = new Outcome("op-2", "scale", Outcome.State.SUCCEEDED, List.of(), "ok", Duration.ofMillis(5));
            progress.finished(outcome);
            return new Response.Finished(outcome);
        });

        handler.handle(request("scale nodeapp 3"), metrics.steps(inner));

        assertThat(steps("changed")).isEqualTo(1.0);
        assertThat(metrics.registry().get("opsbot.operations").tag("state", "succeeded").counter().count()).isEqualTo(1.0);
        assertThat(inner.calls).containsExactly("finished 0 CHANGED", "done SUCCEEDED");
    }

    @Test
    void clientCallsAreTimedByServiceMethodAndStatusClass() {
        var client = metrics.clientMetrics();

        client.record("marathon", "GET", "2xx", Duration.ofMillis(12));
        client.record("marathon", "GET", "2xx", Duration.ofMillis(8));
        client.record("marathon", "PUT", "4xx", Duration.ofMillis(30));
        client.record("registry", "BREW", "io", Duration.ofMillis(5));

        Timer ok = metrics.registry().get("opsbot.client.calls").tag("service", "marathon").tag("method", "GET")
                .tag("status", "2xx").timer();
        assertThat(ok.count()).isEqualTo(2);
        assertThat(ok.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(20.0);
        assertThat(metrics.registry().get("opsbot.client.calls").tag("method", "PUT").tag("status", "4xx").timer().count())
                .isEqualTo(1);
        assertThat(metrics.registry().get("opsbot.client.calls").tag("service", "registry").tag("method", "OTHER")
                .tag("status", "io").timer().count()).isEqualTo(1);
    }

    @Test
    void aGaugeReadsItsSupplierAtEveryScrape() {
        AtomicInteger running = new AtomicInteger(2);
        metrics.gauge("opsbot.operations.running", running::get);

        assertThat(metrics.scrape()).contains("opsbot_operations_running 2.0");
        running.set(5);
        assertThat(metrics.scrape()).contains("opsbot_operations_running 5.0");
    }

    @Test
    void noRequestTextOrSecretEverBecomesATag() {
        CommandHandler handler = metrics.instrument(FAKE);
        String token = "xoxb-1234567890-SeCrEtToKeN";

        handler.handle(request(token + " deploy nodeapp"), ProgressListener.NONE);
        handler.handle(request("deploy " + token), ProgressListener.NONE);
        handler.handle(request("/ops " + token), ProgressListener.NONE);
        handler.handle(request("<@U1|" + token + "> " + token), ProgressListener.NONE);
        metrics.clientMetrics().record("marathon", "Bearer " + token, "2xx", Duration.ofMillis(1));

        for (Meter meter : metrics.registry().getMeters()) {
            for (Tag tag : meter.getId().getTags()) {
                assertThat(tag.getValue()).doesNotContainIgnoringCase("secret").doesNotContain("xoxb")
                        .doesNotContain("nodeapp");
            }
        }
        assertThat(metrics.scrape()).doesNotContainIgnoringCase("secret").doesNotContain("xoxb")
                .contains("opsbot_commands_total");
    }

    private double commands(String verb, String outcome) {
        return metrics.registry().get("opsbot.commands").tag("verb", verb).tag("outcome", outcome).counter().count();
    }

    private double steps(String result) {
        return metrics.registry().get("opsbot.steps").tag("result", result).counter().count();
    }

    private static Request request(String text) {
        return new Request(text, "U123", "C456", false);
    }

    private static Response finished(Outcome.State state) {
        return new Response.Finished(new Outcome("op-1", "title", state, List.of(), "", Duration.ofSeconds(1)));
    }

    private static StepReport step(int index, StepResult result, Duration elapsed) {
        return new StepReport(index, "step " + index, result, "", elapsed);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The adapter's listener: records what reached it. */
    private static final class Recording implements ProgressListener {
        final List<String> calls = new ArrayList<>();

        @Override
        public void planned(String operationId, Plan plan) {
            calls.add("planned " + operationId);
        }

        @Override
        public void waitingForLock(String resource, LockHolder holder) {
            calls.add("waiting " + resource);
        }

        @Override
        public void stepStarted(int index, String description) {
            calls.add("started " + index);
        }

        @Override
        public void stepProgress(int index, double fraction, String text) {
            calls.add("progress " + index);
        }

        @Override
        public void stepFinished(int index, StepReport report) {
            calls.add("finished " + index + " " + report.result());
        }

        @Override
        public void finished(Outcome outcome) {
            calls.add("done " + outcome.state());
        }
    }
}
