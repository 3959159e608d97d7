package io.opsbot.engine;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Keeps every progress event as a line of text, in order. */
class RecordingListener implements ProgressListener {

    final List<String> events = new CopyOnWriteArrayList<>();
    volatile String operationId;
    volatile Plan plan;
    volatile LockHolder waitedFor;

    @Override
    public void planned(String id, Plan plan) {
        this.operationId = id;
        this.plan = plan;
        events.add("planned " + id);
    }

    @Override
    public void waitingForLock(String resource, LockHolder holder) {
        waitedFor = holder;
        events.add("waiting " + resource + " held by " + holder.operationId());
    }

    @Override
    public void stepStarted(int index, String description) {
        events.add("started " + index);
    }

    @Override
    public void stepProgress(int index, double fraction, String text) {
        events.add("progress " + index + " " + text);
    }

    @Override
    public void stepFinished(int index, StepReport report) {
        events.add("finished " + index + " " + report.result());
    }

    @Override
    public void finished(Outcome outcome) {
        events.add("outcome " + outcome.state());
    }
}
