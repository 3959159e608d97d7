package io.opsbot.bot.slack;

import io.opsbot.bot.CommandHandler;
import io.opsbot.bot.ConfirmationAnswers;
import io.opsbot.bot.Request;
import io.opsbot.bot.Response;
import io.opsbot.bot.access.Access;
import io.opsbot.bot.command.CommandException;
import io.opsbot.bot.command.Role;
import io.opsbot.bot.render.BlockKit;
import io.opsbot.bot.render.OperationView;
import io.opsbot.config.Durations;
import io.opsbot.engine.OpsException;
import io.opsbot.engine.ProgressListener;
import io.opsbot.engine.Report;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What runs on a worker thread once Slack has its ack: the command through the guarded pipeline, its one
 * message edited in place, long output in the thread, and the Confirm / Cancel buttons.
 */
final class CommandRunner {

    private static final Logger log = LoggerFactory.getLogger(CommandRunner.class);
    /** Lines of overflow posted in the thread; longer output goes into a file snippet as well. */
    static final int THREAD_LINES = 200;
    /** How long the worker waits for the final edit to reach Slack before it moves on. */
    private static final Duration FINAL_EDIT_WAIT = Duration.ofSeconds(30);
    /** Operations whose requester is remembered, for "cancel needs admin unless it is yours". */
    private static final int OWNERS_KEPT = 1000;

    private final CommandHandler guarded;
    private final Access access;
    private final SlackApi api;
    private final BlockKit kit = new BlockKit();
    private final Confirmations confirmations;
    private final ScheduledExecutorService editor;
    private final Duration editInterval;
    private final boolean emulated;
    private final Clock clock;
    private final Map<String, String> owners = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > OWNERS_KEPT;
        }
    };

    CommandRunner(CommandHandler guarded, Access access, SlackApi api, Confirmations confirmations,
                  ScheduledExecutorService editor, Duration editInterval, boolean emulated, Clock clock) {
        this.guarded = guarded;
        this.access = access;
        this.api = api;
        this.confirmations = confirmations;
        this.editor = editor;
        this.editInterval = editInterval;
        this.emulated = emulated;
        this.clock = clock;
    }

    /** Who started an operation this bot ran. */
    Optional<String> requesterOf(String operationId) {
        synchronized (owners) {
            return Optional.ofNullable(owners.get(operationId));
        }
    }

    /** A command typed by a user: /ops, a mention, or a direct message. */
    void run(Request request) {
        run(request, null, null, null, false);
    }

    /** A slash command: its response_url shows the message where the bot is not a member. */
    void run(Request request, String responseUrl) {
        run(request, null, null, responseUrl, false);
    }

    /**
     * @param existingTs a message to edit (the confirmation's) instead of posting a new one
     * @param responseUrl where the first and final states go when the bot cannot post in the channel; may be null
     * @param replacesOriginal the response_url is a button's, whose message (the confirmation) the states replace
     */
    private void run(Request request, String existingTs, String note, String responseUrl, boolean replacesOriginal) {
        LiveMessage live = new LiveMessage(api, request.channel(), existingTs, responseUrl, replacesOriginal, editor, editInterval);
        OperationView view = new OperationView(request.text(), emulated, clock, snapshot -> {
            if (snapshot.operationId() != null) {
                synchronized (owners) {
                    owners.put(snapshot.operationId(), request.user());
                }
            }
            live.show(kit.progress(snapshot, request.user(), note, true));
        });
        Response response;
        try {
            response = guarded.handle(request, view);
        } catch (OpsException e) {
            response = new Response.Rejected(e.getMessage());
        } catch (RuntimeException e) {
            log.error("event=command_failed user={} channel={} error=\"{}\"", request.user(), request.channel(), e.getMessage(), e);
            response = new Response.Rejected("opsbot failed on this command (" + e.getClass().getSimpleName()
                    + "); the details are in its log");
        }
        try {
            deliver(request, response, live, view, note, responseUrl);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void deliver(Request request, Response response, LiveMessage live, OperationView view, String note,
                         String responseUrl) throws InterruptedException {
        render(request, response, live, view, note, responseUrl);
        if (live.postFailed()) {
            // usually: the bot is not a member of the channel; only the asker hears about it
            tellPrivately(request.channel(), request.user(), responseUrl, kit.text(":warning: opsbot could not post in this channel"
                    + " (invite it with `/invite @opsbot` for live progress)" + (response instanceof Response.Finished f
                    ? "; the command itself " + f.outcome().state().name().toLowerCase(java.util.Locale.ROOT) + " (" + f.outcome().recap() + ")"
                    : "") + "."));
        }
    }

    private void render(Request request, Response response, LiveMessage live, OperationView view, String note,
                        String responseUrl) throws InterruptedException {
        if (response instanceof Response.Finished f) {
            if (view.snapshot().outcome() == null) {
                view.finished(f.outcome());
            }
            live.finish(kit.progress(view.snapshot(), request.user(), note, false), FINAL_EDIT_WAIT);
        } else if (response instanceof Response.Answer a) {
            Report report = Access.verbOf(request.text()).equals("help") ? withRoles(a.report(), request.user()) : a.report();
            BlockKit.Message message = kit.report(report);
            live.finish(message, FINAL_EDIT_WAIT);
            overflow(request.channel(), live.ts(), report.title(), message.overflow());
        } else if (response instanceof Response.Planned p) {
            BlockKit.Message message = kit.plan(p.plan(), "Plan: " + p.plan().operation().title() + " (nothing changed)");
            live.finish(message, FINAL_EDIT_WAIT);
            overflow(request.channel(), live.ts(), "plan " + p.plan().operation().title(), message.overflow());
        } else if (response instanceof Response.NeedsConfirmation c) {
            Confirmations.Pending pending = confirmations.add(request, c.plan(), c.reason(), c.answers());
            live.finish(kit.confirmation(c.plan(), c.reason(), pending.id(), request.user(), confirmations.timeout()),
                    FINAL_EDIT_WAIT);
            confirmations.attachMessage(pending.id(), live.ts());
        } else {
            String message = ((Response.Rejected) response).message();
            if (live.ts() != null) {
                live.finish(kit.rejected(message), FINAL_EDIT_WAIT);
            } else {
                tellPrivately(request.channel(), request.user(), responseUrl, kit.rejected(message));
            }
        }
    }

    /**
     * Confirm clicked: only the requester or an admin, only once, only before it expires.
     *
     * @param responseUrl the button's response_url: where the bot is not in the channel, the confirmation was shown
     *                    through the slash command's response_url, and this one replaces it; may be null
     */
    void confirm(String confirmationId, String user, String channel, String responseUrl) {
        Confirmations.Claim claim = confirmations.claim(confirmationId, user, access::mayConfirm);
        Confirmations.Pending p = claim.pending();
        switch (claim.verdict()) {
            case ACCEPTED -> {
                access.audit(p.request(), "confirmed-by=" + user);
                p.answers().record(ConfirmationAnswers.Answer.CONFIRMED, user);
                String note = "confirmed by <@" + user + ">";
                if (p.messageTs() != null) {
                    api.update(channel, p.messageTs(), kit.confirmationClosed(p.plan(), ":white_check_mark: " + note + " — running…"));
                    run(p.request().confirm(), p.messageTs(), note, null, false);
                } else {
                    run(p.request().confirm(), null, note, responseUrl, true);
                }
            }
            case NOT_ALLOWED -> {
                access.audit(new Request(p.request().text(), user, channel, false), "confirm-refused requester=" + p.request().user());
                tellPrivately(channel, user, responseUrl, kit.rejected("only <@" + p.request().user() + "> (who asked) or an admin may confirm `"
                        + p.plan().operation().title() + "`; nothing changed"));
            }
            case EXPIRED -> expired(p, user, channel, responseUrl);
            case UNKNOWN -> tellPrivately(channel, user, responseUrl, kit.rejected(
                    "this confirmation is no longer pending (already answered, or opsbot restarted); nothing changed"));
        }
    }

    /** Cancel clicked on a confirmation: same people as Confirm. */
    void decline(String confirmationId, String user, String channel, String responseUrl) {
        Confirmations.Claim claim = confirmations.claim(confirmationId, user, access::mayConfirm);
        Confirmations.Pending p = claim.pending();
        switch (claim.verdict()) {
            case ACCEPTED -> {
                access.audit(p.request(), "declined-by=" + user);
                p.answers().record(ConfirmationAnswers.Answer.DECLINED, user);
                closeConfirmation(p, channel, responseUrl, ":no_entry_sign: cancelled by <@" + user + ">; nothing changed");
            }
            case NOT_ALLOWED -> tellPrivately(channel, user, responseUrl, kit.rejected("only <@" + p.request().user()
                    + "> (who asked) or an admin may answer this confirmation"));
            case EXPIRED -> expired(p, user, channel, responseUrl);
            case UNKNOWN -> tellPrivately(channel, user, responseUrl, kit.rejected("this confirmation is no longer pending; nothing changed"));
        }
    }

    /** The confirmation's message, its buttons gone: edited where the bot posted it, else through the button's response_url. */
    private void closeConfirmation(Confirmations.Pending p, String channel, String responseUrl, String text) {
        BlockKit.Message closed = kit.confirmationClosed(p.plan(), text);
        if (p.messageTs() != null) {
            api.update(channel, p.messageTs(), closed);
        } else if (responseUrl != null) {
            api.respond(responseUrl, closed, true);
        }
    }

    /**
     * Only {@code user} sees it. chat.postEphemeral needs the bot in the channel; where it is not, the slash command's
     * or the button's response_url carries it instead.
     */
    private void tellPrivately(String channel, String user, String responseUrl, BlockKit.Message message) {
        if (!api.ephemeral(channel, user, message) && responseUrl != null) {
            api.respondPrivately(responseUrl, message);
        }
    }

    /** Cancel clicked on a running operation: the command "cancel OPID", as the person who clicked. */
    void cancel(String operationId, String user, String channel, String responseUrl) {
        Request request = new Request(BlockKit.cancelCommand(operationId), user, channel, false);
        Response response;
        try {
            response = guarded.handle(request, ProgressListener.NONE);
        } catch (RuntimeException e) {
            log.warn("event=cancel_failed op={} user={} error=\"{}\"", operationId, user, e.getMessage());
            response = new Response.Rejected(e instanceof OpsException ? e.getMessage() : "cancel failed; the details are in opsbot's log");
        }
        BlockKit.Message message;
        if (response instanceof Response.Rejected r) {
            message = kit.rejected(r.message());
        } else if (response instanceof Response.Answer a) {
            message = kit.report(a.report());
        } else {
            message = kit.text(":black_square_for_stop: cancellation of `" + operationId + "` requested by <@" + user
                    + ">; the operation stops after its current step");
        }
        tellPrivately(channel, user, responseUrl, message);
    }

    private void expired(Confirmations.Pending p, String user, String channel, String responseUrl) {
        String text = ":hourglass: this confirmation expired after " + Durations.format(confirmations.timeout())
                + "; nothing changed. Run `/ops " + CommandException.visible(p.request().text()) + "` again.";
        closeConfirmation(p, channel, responseUrl, text);
        access.audit(new Request(p.request().text(), user, channel, false), "confirm-expired");
        tellPrivately(channel, user, responseUrl, kit.text(text));
    }

    /** Output that did not fit: in the thread, bounded, and as a file when even the thread cannot hold it. */
    private void overflow(String channel, String ts, String title, List<String> lines) {
        if (ts == null || lines.isEmpty()) {
            return;
        }
        List<String> shown = lines.subList(0, Math.min(THREAD_LINES, lines.size()));
        BlockKit.Message reply = kit.threadReply(shown, "");
        int notInThread = lines.size() - shown.size() + reply.overflow().size();
        if (notInThread > 0) {
            api.post(channel, ts, kit.threadReply(shown.subList(0, shown.size() - reply.overflow().size()),
                    "… (" + notInThread + " more lines in the attached file)"));
            api.upload(channel, ts, fileName(title), title, String.join("\n", lines));
        } else {
            api.post(channel, ts, reply);
        }
    }

    private Report withRoles(Report help, String user) {
        Map<String, String> table = new LinkedHashMap<>();
        access.verbRoles().forEach((verb, role) -> table.put(verb, role.label()));
        List<Report.Section> sections = new ArrayList<>(help.sections());
        List<String> lines = new ArrayList<>(kit.roleTable(table));
        lines.add("you: " + access.roleOf(user).map(Role::label).orElse("no role (ask an admin)"));
        sections.add(new Report.Section("Who may run what", lines));
        return new Report(help.title(), sections, help.emulated());
    }

    private static String fileName(String title) {
        String safe = title.replaceAll("[^A-Za-z0-9._-]+", "-").replaceAll("(^-+|-+$)", "");
        return (safe.isEmpty() ? "output" : safe) + ".txt";
    }
}
