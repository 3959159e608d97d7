package io.opsbot.bot.console;

import io.opsbot.bot.Request;
import io.opsbot.bot.Response;
import io.opsbot.bot.render.OperationView;
import io.opsbot.engine.LockHolder;
import io.opsbot.engine.Outcome;
import io.opsbot.engine.Plan;
import io.opsbot.engine.ProgressListener;
import io.opsbot.engine.StepReport;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * One command the console handed to the pipeline. It is a query until the engine gives it an operation id; from
 * then on it is an operation that runs in the background while the prompt takes other commands.
 */
final class Job {

    private final Request request;
    private final OperationView view;
    private final AtomicBoolean cancelAsked = new AtomicBoolean();
    private volatile String operationId;
    private volatile Response response;
    private final Instant since;

    /** @param onChange called on the engine's thread with every change of the operation's progress */
    Job(Request request, boolean emulated, Clock clock, Consumer<Job> onChange) {
        this.request = request;
        this.since = clock.instant();
        this.view = new OperationView(request.text(), emulated, clock, snapshot -> onChange.accept(this));
    }

    Request request() {
        return request;
    }

    /** The engine's id once the command became an operation, else null. */
    String operationId() {
        return operationId;
    }

    boolean isOperation() {
        return operationId != null;
    }

    boolean done() {
        return response != null;
    }

    Response response() {
        return response;
    }

    void finish(Response answer) {
        response = answer;
    }

    /** True the first time only: a second Ctrl-C then means "quit now". */
    boolean askCancel() {
        return cancelAsked.compareAndSet(false, true);
    }

    boolean cancelAsked() {
        return cancelAsked.get();
    }

    OperationView.Snapshot snapshot() {
        return view.snapshot();
    }

    LockHolder holder() {
        return new LockHolder(operationId, request.text(), request.user(), since);
    }

    /** The listener for the pipeline: the view's, and {@code onStarted} once the operation has its id. */
    ProgressListener listener(Runnable onStarted) {
        return new ProgressListener() {
            @Override
            public void started(String id) {
                operationId = id;
                view.started(id);
                onStarted.run();
            }

            @Override
            public void planned(String id, Plan plan) {
                operationId = id;
                view.planned(id, plan);
            }

            @Override
            public void waitingForLock(String resource, LockHolder holder) {
                view.waitingForLock(resource, holder);
            }

            @Override
            public void stepStarted(int index, String description) {
                view.stepStarted(index, description);
            }

            @Override
            public void stepProgress(int index, double fraction, String text) {
                view.stepProgress(index, fraction, text);
            }

            @Override
            public void stepFinished(int index, StepReport report) {
                view.stepFinished(index, report);
            }

            @Override
            public void finished(Outcome outcome) {
                view.finished(outcome);
            }
        };
    }
}
