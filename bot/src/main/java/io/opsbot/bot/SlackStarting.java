package io.opsbot.bot;

import io.opsbot.bot.access.Access;
import io.opsbot.bot.command.Role;
import io.opsbot.bot.command.CommandParser;
import io.opsbot.bot.command.KnownNames;
import io.opsbot.bot.slack.SlackBot;
import io.opsbot.config.OpsbotConfig;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;

/**
 * The Slack adapter's start (the SDK, {@code auth.test}, Bolt) on a thread of its own while the main thread opens the
 * journal and wires the bot ({@link Main#startSlack}): on two CPUs the start to ready waits for the longer of the two,
 * not their sum. The adapter is built with {@link SlackBot.Builder#listenLater()}, so it takes no request until
 * {@link SlackBot#listen()} once the bot is wired; what it calls (the handler, the journal's owners, audit and
 * deliveries) goes to the bot given to {@link #wired}, which it never calls before.
 */
final class SlackStarting {

    private final CompletableFuture<Opsbot> wired = new CompletableFuture<>();
    private final CompletableFuture<SlackBot> started = new CompletableFuture<>();
    /** Set by the start's thread before {@link #started} completes. */
    private volatile Map<String, Role> verbRoles;
    private final boolean emulated;
    private final Thread thread;
    private volatile boolean cancelled;

    private SlackStarting(OpsbotConfig config, Consumer<String> say) {
        this.emulated = emulated(config);
        // everything Slack's, even its classes' loading, on the thread: the main thread goes on to the journal at once
        this.thread = new Thread(() -> {
            try {
                verbRoles = verbRoles(emulated);
                SlackBot.Builder builder = SlackBot.builder(config.slack(), config.access(),
                                (request, progress) -> wired.join().handler().handle(request, progress))
                        .emulated(emulated)
                        .verbRoles(verbRoles)
                        .owners(id -> wired.join().dispatcher().requesterOf(id))
                        .audit((request, outcome) -> wired.join().dispatcher().record(request, outcome))
                        .deliveries(key -> wired.join().deliveries().firstTime(key))
                        .listenLater();
                SlackBot bot = builder.startRetrying(say);
                if (cancelled) {
                    bot.close();
                }
                started.complete(bot);
            } catch (Throwable failed) {
                started.completeExceptionally(failed);
            }
        }, "slack-start");
        thread.setDaemon(true);
    }

    /** Begins Slack's start for {@code config}'s slack section (HTTP mode); failures are said through {@code say}. */
    static SlackStarting begin(OpsbotConfig config, Consumer<String> say) {
        SlackStarting starting = new SlackStarting(config, say);
        starting.thread.start();
        return starting;
    }

    /** Whether the bot's own wiring would give this adapter the same settings it was started with (after {@link #join}). */
    boolean matches(Opsbot bot) {
        return bot.emulated() == emulated && verbRoles.equals(Access.verbRoles(bot.dispatcher().parser().grammar()));
    }

    /**
     * The started adapter, wired to {@code bot}, not yet listening; what its start threw, as thrown (an
     * {@code OpsException} for a rejected token, an {@code InterruptedException} when stopped meanwhile).
     */
    SlackBot join(Opsbot bot) throws Exception {
        wired.complete(bot);
        try {
            return started.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        }
    }

    /** Stops the start (its waiting for Slack) and closes the adapter if it started or starts later. */
    void cancel() {
        cancelled = true;
        thread.interrupt();
        if (started.isDone() && !started.isCompletedExceptionally()) {
            started.join().close();
        }
        wired.completeExceptionally(new IllegalStateException("the bot did not start"));
    }

    /** As {@link Opsbot}: the local default (no cluster section) is the emulated cluster. */
    static boolean emulated(OpsbotConfig config) {
        return config.cluster() == null || config.cluster().isEmulated();
    }

    /** The role each verb needs: the grammar's table, which names do not change (only whether the sim's verbs exist). */
    static Map<String, Role> verbRoles(boolean emulated) {
        return Access.verbRoles(new CommandParser(KnownNames.withDefaultServices(Set.of(), Set.of(), Set.of()), emulated)
                .grammar());
    }
}
