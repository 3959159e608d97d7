package io.opsbot.bot.metrics;

import io.opsbot.engine.LockHolder;
import io.opsbot.engine.Outcome;
import io.opsbot.engine.Plan;
import io.opsbot.engine.ProgressListener;
import io.opsbot.engine.StepReport;

/** Counts what passes through and forwards every call unchanged, so the adapter's view behaves as before. */
final class MeteredListener implements ProgressListener {

    private final OpsMetrics owner;
    private final ProgressListener inner;

    MeteredListener(OpsMetrics owner, ProgressListener inner) {
        this.owner = owner;
        this.inner = inner;
    }

    OpsMetrics owner() {
        return owner;
    }

    @Override
    public void started(String operationId) {
        inner.started(operationId);
    }

    @Override
    public void planned(String operationId, Plan plan) {
        inner.planned(operationId, plan);
    }

    @Override
    public void waitingForLock(String resource, LockHolder holder) {
        inner.waitingForLock(resource, holder);
    }

    @Override
    public void stepStarted(int index, String description) {
        inner.stepStarted(index, description);
    }

    @Override
    public void stepProgress(int index, double fraction, String text) {
        inner.stepProgress(index, fraction, text);
    }

    @Override
    public void stepFinished(int index, StepReport report) {
        // counted before forwarding: a throwing view must not hide the step from the metrics
        if (report != null) {
            owner.stepFinished(report.result(), report.elapsed());
        }
        inner.stepFinished(index, report);
    }

    @Override
    public void finished(Outcome outcome) {
        if (outcome != null) {
            owner.operationFinished(outcome.state());
        }
        inner.finished(outcome);
    }
}
