package io.opsbot.bot.console;

import io.opsbot.bot.CommandHandler;
import io.opsbot.bot.Request;
import io.opsbot.bot.Response;
import io.opsbot.engine.Check;
import io.opsbot.engine.Engine;
import io.opsbot.engine.EngineSettings;
import io.opsbot.engine.JdbcJournal;
import io.opsbot.engine.LockHolder;
import io.opsbot.engine.Operation;
import io.opsbot.engine.ProgressListener;
import io.opsbot.engine.Report;
import io.opsbot.engine.Step;
import io.opsbot.engine.StepContext;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A pipeline behind the console with the real engine and journal, whose "deploy APP" is two steps: the first holds
 * until the test releases it, so the test decides when an operation is running. Records every text it is given.
 */
final class EnginePipeline implements CommandHandler, AutoCloseable {

    final List<String> received = new CopyOnWriteArrayList<>();
    private final JdbcJournal journal = JdbcJournal.inMemory();
    private final Engine engine = new Engine(journal, EngineSettings.defaults(), Clock.systemUTC());
    private final CountDownLatch release = new CountDownLatch(1);

    /** Lets the held first step of every deploy finish. */
    void release() {
        release.countDown();
    }

    List<LockHolder> running() {
        return engine.running();
    }

    @Override
    public Response handle(Request request, ProgressListener listener) {
        String text = request.text();
        received.add(text);
        if (text.startsWith("deploy ")) {
            String app = text.split(" ")[1];
            Operation deploy = new Operation("deploy", text, List.of("/" + app),
                    List.of(new HeldStep("push the image of " + app), new HeldStep("run the new version of " + app)));
            return new Response.Finished(engine.apply(deploy, request.origin(), listener));
        }
        if (text.startsWith("cancel ")) {
            String id = text.substring("cancel ".length()).trim();
            return engine.cancel(id, request.user())
                    ? answer("cancelling " + id, "it stops before its next step")
                    : new Response.Rejected("no running operation " + id);
        }
        if (text.equals("status")) {
            return answer("status", "all apps healthy");
        }
        return new Response.Rejected("unknown command '" + text + "'");
    }

    private static Response answer(String title, String line) {
        return new Response.Answer(new Report(title, List.of(new Report.Section("", List.of(line))), false));
    }

    /** Drifts until applied; applying waits for the test's release (bounded), reporting progress first. */
    private final class HeldStep implements Step {
        private final String description;
        private volatile boolean applied;

        HeldStep(String description) {
            this.description = description;
        }

        @Override
        public String description() {
            return description;
        }

        @Override
        public Check check() {
            return applied ? Check.inSync("done") : Check.drift("not done yet");
        }

        @Override
        public void apply(StepContext context) throws Exception {
            context.progress(0.5, "halfway");
            if (!release.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the test never released the step");
            }
            applied = true;
        }
    }

    @Override
    public void close() {
        release.countDown();
        engine.close();
        journal.close();
    }
}
