package io.opsbot.bot;

import io.opsbot.alerts.AlertService;
import io.opsbot.alerts.Incident;
import io.opsbot.bot.command.Command;
import io.opsbot.bot.command.CommandException;
import io.opsbot.bot.render.AlertText;
import io.opsbot.engine.ops.SimControl;
import io.opsbot.bot.command.CommandParser;
import io.opsbot.engine.Engine;
import io.opsbot.engine.Journal;
import io.opsbot.engine.LockHolder;
import io.opsbot.engine.OperationEntry;
import io.opsbot.engine.Operation;
import io.opsbot.engine.Origin;
import io.opsbot.engine.Outcome;
import io.opsbot.engine.Plan;
import io.opsbot.engine.OpsException;
import io.opsbot.engine.ProgressListener;
import io.opsbot.engine.Report;
import io.opsbot.bot.render.HealthText;
import io.opsbot.bot.report.ReportService;
import io.opsbot.bot.report.Schedule;
import io.opsbot.engine.ops.ClusterOperations;
import io.opsbot.engine.ops.WhyReport;
import io.opsbot.health.HealthReport;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The platform-neutral pipeline every chat shares: parse → plan or apply through the engine, or answer a
 * query. Adapters call {@link #handle} on a worker thread, never on the chat library's own thread.
 */
public final class Dispatcher implements CommandHandler {

    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT);
    private static final int HISTORY_LIMIT = 20;
    /** The journal kind of commands that are not operations (queries, plans, rejections, denials). */
    static final String COMMAND_KIND = "command";
    private static final String COMMAND_PREFIX = "cmd-";
    /** How the deploy and rollback steps that write Marathon name the version (ClusterOperations). */
    private static final Pattern VERSION_IN_STEP = Pattern.compile("(?:at|back to) version (\\S+)");

    private final java.util.Random ids = new java.security.SecureRandom();

    private final CommandParser parser;
    private final Engine engine;
    private final Journal journal;
    private final ClusterOperations cluster;
    private final Clock clock;
    private final AlertService alerts;
    private final SimControl sim;
    private final ReportService reports;
    private final WhyReport why;

    /**
     * @param alerts  the alert service ({@code incidents}, {@code mute}…), or null when alerts are off
     * @param sim     the emulated cluster's control API ({@code sim …}), or null on a real cluster
     * @param reports health reports and their schedules ({@code report …})
     * @param why     the on-call answer ({@code why APP})
     */
    public Dispatcher(CommandParser parser, Engine engine, Journal journal, ClusterOperations cluster, Clock clock,
                      AlertService alerts, SimControl sim, ReportService reports, WhyReport why) {
        this.parser = parser;
        this.engine = engine;
        this.journal = journal;
        this.cluster = cluster;
        this.clock = clock;
        this.alerts = alerts;
        this.sim = sim;
        this.reports = reports;
        this.why = why;
    }

    public CommandParser parser() {
        return parser;
    }

    @Override
    public Response handle(Request request, ProgressListener listener) {
        Command command;
        try {
            command = parser.parse(request.text());
        } catch (OpsException e) {
            log.info("event=rejected user={} channel={} text=\"{}\" reason=\"{}\"", request.user(), request.channel(),
                    printable(request.text()), e.getMessage());
            return recorded(request, new Response.Rejected(e.getMessage()));
        }
        log.info("event=command user={} channel={} command=\"{}\"", request.user(), request.channel(), command.text());
        try {
            return recorded(request, run(command, request, listener));
        } catch (OpsException e) {
            log.info("event=refused user={} command=\"{}\" reason=\"{}\"", request.user(), command.text(), e.getMessage());
            return recorded(request, new Response.Rejected(e.getMessage()));
        }
    }

    /**
     * Every command is in the journal: operations journal themselves; everything else (answers, plans,
     * rejections, commands waiting for confirmation) is recorded here as a finished entry of kind "command".
     */
    private Response recorded(Request request, Response response) {
        if (response instanceof Response.Finished) {
            return response;
        }
        String outcome;
        if (response instanceof Response.Answer) {
            outcome = "answered";
        } else if (response instanceof Response.Planned) {
            outcome = "plan shown; nothing changed";
        } else if (response instanceof Response.NeedsConfirmation c) {
            Optional<String> id = recordEntry(request, "waiting for confirmation; nothing changed");
            return id.<Response>map(entry -> new Response.NeedsConfirmation(c.plan(), c.reason(),
                    (answer, by) -> answered(entry, answer, by))).orElse(response);
        } else {
            outcome = "rejected: " + ((Response.Rejected) response).message();
        }
        record(request, outcome);
        return response;
    }

    /** Records a command that is not an operation (also what the access layer denied or saw confirmed). */
    public void record(Request request, String outcome) {
        recordEntry(request, outcome);
    }

    /** The journal id of the new entry; empty when the journal could not write it. */
    private Optional<String> recordEntry(Request request, String outcome) {
        Instant now = clock.instant();
        String state = outcome.startsWith("rejected") || outcome.startsWith("denied") || outcome.startsWith("error")
                ? Outcome.State.REFUSED.name() : Outcome.State.SUCCEEDED.name();
        String text = printable(request.text());
        String id = commandId(ids);
        try {
            journal.operationStarted(new OperationEntry(id,
                    COMMAND_KIND, text.isBlank() ? "(empty)" : text, new Origin(request.user(), request.channel(), text),
                    List.of(), "", state, now, now, outcome.length() > 500 ? outcome.substring(0, 500) + "…" : outcome));
            return Optional.of(id);
        } catch (RuntimeException e) {
            // the answer still goes out; the log line above keeps the record
            log.warn("event=journal-failed user={} text=\"{}\" reason=\"{}\"", request.user(), text, e.getMessage());
            return Optional.empty();
        }
    }

    /** The command that waited for confirmation is finished as it was answered: confirmed, declined or expired. */
    private void answered(String entryId, ConfirmationAnswers.Answer answer, String by) {
        String summary = switch (answer) {
            case CONFIRMED -> "confirmed by " + by + "; it ran as an operation of its own";
            case DECLINED -> "declined by " + by + "; nothing changed";
            case EXPIRED -> "confirmation expired unanswered; nothing changed";
        };
        try {
            journal.operationFinished(entryId, answer == ConfirmationAnswers.Answer.CONFIRMED
                    ? Outcome.State.SUCCEEDED : Outcome.State.CANCELLED, summary);
        } catch (RuntimeException e) {
            log.warn("event=journal-failed entry={} answer={} reason=\"{}\"", entryId, answer, e.getMessage());
        }
        log.info("event=confirmation entry={} answer={} by={}", entryId, answer, by);
    }

    /** A journal id for a command that is not an operation: "cmd-" and always 12 hex digits, leading zeros kept. */
    static String commandId(java.util.Random random) {
        return COMMAND_PREFIX + java.util.HexFormat.of().toHexDigits(random.nextLong()).substring(4);
    }

    private Response run(Command command, Request request, ProgressListener listener) {
        Operation operation = operationFor(command);
        if (operation != null) {
            if (command.plan()) {
                return new Response.Planned(engine.plan(operation));
            }
            if (operation.needsConfirmation() && !request.confirmed()) {
                Plan plan = engine.plan(operation);
                if (plan.changesNothing()) {
                    // Nothing to confirm: the answer is the no-op itself ("nodeapp already runs that version").
                    return new Response.Finished(engine.apply(operation.checkOnly(), request.origin(), listener));
                }
                return new Response.NeedsConfirmation(plan, command.force()
                        ? "--force overrides any Marathon deployment of the app in progress, also one opsbot did not"
                                + " start; confirm to run it"
                        : "it is destructive; confirm to run it");
            }
            return new Response.Finished(engine.apply(operation, request.origin(), listener));
        }
        return new Response.Answer(answer(command, request));
    }

    /** The operations this process's engine runs now, oldest first (the console completes {@code cancel OP} from them). */
    public List<LockHolder> running() {
        return engine.running();
    }

    /** Who started an operation, from the journal: cancelling someone else's needs the admin role. */
    public Optional<String> requesterOf(String operationId) {
        return journal.find(operationId).map(e -> e.origin().requester());
    }

    /** Recovery: the operation a journaled command stands for, planned afresh. */
    public Operation replan(OperationEntry entry) {
        Operation operation = operationFor(parser.parse(entry.origin().commandText()));
        if (operation == null) {
            throw new OpsException("'" + entry.origin().commandText() + "' changes nothing; nothing to resume");
        }
        return operation;
    }

    /** The engine operation for a command that changes the cluster, or null for a query. */
    private Operation operationFor(Command command) {
        if (command instanceof Command.Scale c) {
            return cluster.scale(c.app(), c.instances(), c.force());
        }
        if (command instanceof Command.Restart c) {
            return cluster.restart(c.app(), c.force());
        }
        if (command instanceof Command.Deploy c) {
            return cluster.deploy(c.app(), c.version().orElse(null), c.only(), c.force());
        }
        if (command instanceof Command.Rollback c) {
            return c.version().map(v -> cluster.rollback(c.app(), v, c.force())).orElse(null);
        }
        if (command instanceof Command.Move c) {
            return cluster.move(c.app(), c.node(), c.force());
        }
        return null;
    }

    private Report answer(Command command, Request request) {
        if (command instanceof Command.Help c) {
            String text = c.topic().map(parser::help).orElseGet(parser::help);
            // titled by what it explains: "help deploy", "help who deployed"
            String title = c.topic().flatMap(t -> parser.grammar().verb(t)).map(v -> "help " + v.name()).orElse("help");
            return new Report(title, List.of(new Report.Section("", List.of(text.split("\n")), true)), false);
        }
        if (command instanceof Command.Status c) {
            Report status = cluster.status(c.target().orElse(null));
            if (alerts == null || c.target().isPresent()) {
                return status;
            }
            List<Report.Section> sections = new ArrayList<>(status.sections());
            List<String> botLines = new ArrayList<>(List.of(alerts.leaderLine()));
            alerts.slackLine().ifPresent(botLines::add);
            sections.add(new Report.Section("bot", botLines));
            return new Report(status.title(), sections, status.emulated());
        }
        if (command instanceof Command.Incidents c) {
            return incidents(c.subject().orElse(null), c.since());
        }
        if (command instanceof Command.Mute c) {
            io.opsbot.alerts.Mute mute = alerts().mute(c.target(), c.duration(), request.user());
            return new Report("muted " + c.target(), List.of(new Report.Section("", List.of(
                    "no alert of " + c.target() + " is posted or edited until " + format(mute.until()) + " ("
                            + io.opsbot.config.Durations.format(c.duration()) + "); incidents are still recorded",
                    "'unmute " + c.target() + "' ends it now"))), false);
        }
        if (command instanceof Command.Unmute c) {
            boolean lifted = alerts().unmute(c.target(), request.user());
            return new Report("unmute " + c.target(), List.of(new Report.Section("", List.of(lifted
                    ? c.target() + "'s alerts show again; the latest state of its open incidents is shown now"
                    : c.target() + " was not muted; 'mutes' lists the mutes in force"))), false);
        }
        if (command instanceof Command.Mutes) {
            List<String> lines = alerts().mutes().stream().map(m -> m.target() + " until " + format(m.until())
                    + " (by " + m.by() + ", set " + format(m.at()) + ")").toList();
            return new Report("mutes", List.of(new Report.Section("", lines.isEmpty()
                    ? List.of("nothing is muted") : lines)), false);
        }
        if (command instanceof Command.Sim c) {
            return simulate(c);
        }
        if (command instanceof Command.Logs c) {
            return cluster.logs(c.target(), c.node().orElse(null), c.since(), c.grep().orElse(null), c.lines(), c.exactCase());
        }
        if (command instanceof Command.Drift c) {
            return cluster.drift(c.app().orElse(null));
        }
        if (command instanceof Command.Rollback c) {
            return cluster.versions(c.app());
        }
        if (command instanceof Command.History c) {
            return history(c.app().orElse(null));
        }
        if (command instanceof Command.WhoDeployed c) {
            return whoDeployed(c.app());
        }
        if (command instanceof Command.WhatChanged c) {
            return whatChanged(c.since());
        }
        if (command instanceof Command.Why c) {
            return why.explain(c.app(), reports.zone());
        }
        if (command instanceof Command.ReportNow c) {
            return reportNow(c, request);
        }
        if (command instanceof Command.ReportSchedule c) {
            return schedule(c, request);
        }
        if (command instanceof Command.ReportSchedules) {
            return schedules();
        }
        if (command instanceof Command.ReportUnschedule c) {
            return unschedule(c.id());
        }
        if (command instanceof Command.Cancel c) {
            boolean cancelled = engine.cancel(c.operationId(), request.user());
            if (!cancelled) {
                throw new OpsException("no running operation " + c.operationId()
                        + "; 'history' lists recent ones");
            }
            return new Report("cancelling " + c.operationId(), List.of(new Report.Section("",
                    List.of("it stops before its next step; steps already done stay done"))), false);
        }
        throw new OpsException("'" + command.verb() + "' is not available yet");
    }

    private AlertService alerts() {
        if (alerts == null) {
            throw new OpsException("alerts are off in this opsbot (alerts.enabled: false, or no Marathon configured)");
        }
        return alerts;
    }

    private Report incidents(String subject, Duration since) {
        List<Incident> found = alerts().incidents(clock.instant().minus(since), subject);
        String title = "incidents" + (subject == null ? "" : " of " + subject) + " (open, and seen in the last "
                + io.opsbot.config.Durations.format(since) + ")";
        if (found.isEmpty()) {
            return new Report(title, List.of(new Report.Section("", List.of("none"))), false);
        }
        Instant now = clock.instant();
        List<String> lines = new ArrayList<>();
        for (Incident i : found) {
            String state = i.open() ? "open " + AlertText.span(i.duration(now))
                    : "resolved after " + AlertText.span(i.duration(now));
            lines.add("#" + i.id() + "  " + (i.open() ? "🔴" : "✅") + " " + i.subject() + "  " + i.kind().label()
                    + "  " + i.kind().count(i.count()) + "  " + state + "  first " + format(i.firstSeen())
                    + (i.reconciled() ? "  (found by reconciliation)" : "")
                    + (i.messageTs() == null ? "" : "  " + permalink(i.channel(), i.messageTs())));
            lines.add("      last: " + i.lastReason() + (i.resolution() == null ? "" : " — " + i.resolution()));
        }
        return new Report(title, List.of(new Report.Section("newest first", lines)), false);
    }

    /** Slack's link to a message: the workspace resolves it for anyone who can see the channel. */
    static String permalink(String channel, String ts) {
        return "https://slack.com/archives/" + channel + "/p" + ts.replace(".", "");
    }

    private Report simulate(Command.Sim c) {
        if (sim == null) {
            throw new OpsException("sim commands work only on the emulated cluster");
        }
        String line = switch (c.action()) {
            case "fail" -> c.target() + "'s tasks now fail their health checks (image " + sim.fail(c.target())
                    + "); alerts follow within seconds; 'sim heal " + c.target() + "' ends it";
            case "heal" -> c.target() + " is well again (image " + sim.heal(c.target())
                    + "); its incident resolves once it has been healthy for a while";
            case "agent-down" -> {
                sim.agent(c.target(), false);
                yield c.target() + "'s Mesos agent is down: its tasks are lost; 'sim agent " + c.target() + " up' brings it back";
            }
            case "agent-up" -> {
                sim.agent(c.target(), true);
                yield c.target() + "'s Mesos agent is back";
            }
            default -> throw new OpsException("unknown sim action " + c.action());
        };
        return new Report(c.text(), List.of(new Report.Section("", List.of(line))), true);
    }

    private Report reportNow(Command.ReportNow c, Request request) {
        HealthText text = new HealthText(reports.zone());
        boolean here = c.channel().isEmpty() || c.channel().get().equals(request.channel());
        if (here && !reports.postsToChannels()) {
            // the console (or exec): the report is the answer
            return text.asReport(reports.now(), false);
        }
        // Slack: the same sink as scheduled reports (Block Kit, the chart and the full lists in the thread)
        String channel = c.channel().orElse(request.channel());
        HealthReport sent = reports.send(channel);
        String where = here ? "this channel" : channel;
        return new Report("report sent", List.of(new Report.Section("", List.of("posted a health report in "
                + where + ": " + sent.verdict()))), false);
    }

    private Report schedule(Command.ReportSchedule c, Request request) {
        ZoneId zone = c.zone().map(ZoneId::of).orElse(reports.zone());
        String channel = c.channel().orElse(request.channel());
        Schedule s = reports.schedule(c.cron(), channel, zone, request.user());
        return new Report("scheduled " + s.id(), List.of(new Report.Section("", List.of(
                "a health report to " + channel + " on \"" + s.cron() + "\" (" + zone.getId() + ")",
                "next: " + nextTimes(s), "stop it with `report unschedule " + s.id() + "`"))), false);
    }

    private Report schedules() {
        List<Schedule> all = reports.schedules();
        if (all.isEmpty()) {
            return new Report("report schedules", List.of(new Report.Section("", List.of(
                    "no schedules; add one with `report schedule \"0 0 9 * * ?\" #ops`"))), false);
        }
        List<String> lines = all.stream().map(s -> s.id() + "  \"" + s.cron() + "\" (" + s.zone().getId() + ") → " + s.channel()
                + " by " + s.createdBy() + "; next: " + nextTimes(s)).toList();
        return new Report("report schedules", List.of(new Report.Section(all.size() + (all.size() == 1 ? " schedule" : " schedules"),
                lines)), false);
    }

    private Report unschedule(String id) {
        Optional<Schedule> found = reports.find(id);
        if (found.isEmpty()) {
            throw new OpsException("no report schedule " + id + "; 'report schedules' lists them");
        }
        if (found.get().fromConfiguration()) {
            throw new OpsException(id + " comes from the configuration (reports.schedules in opsbot.yaml): remove it there;"
                    + " it would come back at the next start");
        }
        reports.unschedule(id);
        return new Report("unscheduled " + id, List.of(new Report.Section("", List.of("no more reports from " + id
                + " (\"" + found.get().cron() + "\" → " + found.get().channel() + ")"))), false);
    }

    /** The next fire times in plain words: "today 09:30:30, today 09:31:00, tomorrow 09:00:00 (Europe/Paris)". */
    private String nextTimes(Schedule s) {
        if (s.next().isEmpty()) {
            return "never (the expression fires no more)";
        }
        java.time.LocalDate today = clock.instant().atZone(s.zone()).toLocalDate();
        DateTimeFormatter hms = DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT);
        DateTimeFormatter day = DateTimeFormatter.ofPattern("EEE MMM d HH:mm:ss", Locale.ROOT);
        return s.next().stream().map(t -> {
            java.time.ZonedDateTime z = t.atZone(s.zone());
            if (z.toLocalDate().equals(today)) {
                return "today " + hms.format(z);
            }
            return z.toLocalDate().equals(today.plusDays(1)) ? "tomorrow " + hms.format(z) : day.format(z);
        }).collect(java.util.stream.Collectors.joining(", ")) + " (" + s.zone().getId() + ")";
    }

    private Report history(String app) {
        List<OperationEntry> entries = journal.history(app == null ? null : cluster.resourceOf(app), HISTORY_LIMIT);
        String title = app == null ? "history" : "history of " + app;
        if (entries.isEmpty()) {
            return new Report(title, List.of(new Report.Section("", List.of("no operations recorded yet"))), false);
        }
        List<String> lines = new ArrayList<>();
        for (OperationEntry e : entries) {
            // A command that is not an operation says its outcome in words ("answered", "declined by …").
            String outcome = COMMAND_KIND.equals(e.kind()) && e.summary() != null ? e.summary()
                    : e.state().toLowerCase(Locale.ROOT) + (e.summary() == null ? "" : " (" + e.summary() + ")");
            lines.add(format(e.startedAt()) + "  " + e.id() + "  " + e.title() + "  " + outcome + "  by "
                    + e.origin().requester() + " in " + e.origin().channel());
        }
        return new Report(title, List.of(new Report.Section("newest first", lines)), false);
    }

    /**
     * The deploys and rollbacks that changed the app (runs that found it already there are left out), newest
     * first, each with the version it rolled out.
     */
    private Report whoDeployed(String app) {
        List<OperationEntry> deploys = journal.history(cluster.resourceOf(app), 200).stream()
                .filter(e -> "deploy".equals(e.kind()) || "rollback".equals(e.kind()))
                .filter(e -> !OperationEntry.RUNNING.equals(e.state()) && !nothingChanged(e))
                .limit(5).toList();
        if (deploys.isEmpty()) {
            return new Report("who deployed " + app, List.of(new Report.Section("",
                    List.of("no deployment of " + app + " that changed it is recorded in the journal"))), false);
        }
        List<String> lines = deploys.stream().map(e -> e.origin().requester() + " "
                + ("rollback".equals(e.kind()) ? "rolled back to" : "deployed") + " version " + versionOf(e).orElse("?")
                + " at " + format(e.startedAt()) + " → " + e.state().toLowerCase(Locale.ROOT) + " ('" + e.title() + "' in "
                + e.origin().channel() + ") [" + e.id() + "]").toList();
        List<Report.Section> sections = new ArrayList<>();
        sections.add(new Report.Section("last", lines.subList(0, 1)));
        if (lines.size() > 1) {
            sections.add(new Report.Section("before that", lines.subList(1, lines.size())));
        }
        return new Report("who deployed " + app, sections, false);
    }

    /** The version a deploy or rollback rolled out, as its Marathon step names it ("… at version 1.4.2 …"). */
    private Optional<String> versionOf(OperationEntry deploy) {
        return journal.steps(deploy.id()).stream()
                .map(s -> VERSION_IN_STEP.matcher(s.description()))
                .filter(Matcher::find)
                .map(m -> m.group(1))
                .findFirst();
    }

    private static boolean nothingChanged(OperationEntry e) {
        return e.summary() != null && e.summary().contains("changed=0");
    }

    private Report whatChanged(Duration since) {
        Instant from = clock.instant().minus(since);
        List<String> lines = journal.history(null, 500).stream()
                .filter(e -> e.startedAt().isAfter(from))
                .filter(e -> !COMMAND_KIND.equals(e.kind()))
                .filter(e -> !nothingChanged(e))
                .map(e -> format(e.startedAt()) + "  " + e.title() + "  " + e.state().toLowerCase(Locale.ROOT)
                        + " by " + e.origin().requester() + " [" + e.id() + "]")
                .toList();
        List<String> outside = why.outsideChanges(from, reports.zone());
        return new Report("what changed in the last " + io.opsbot.config.Durations.format(since), List.of(
                new Report.Section("through opsbot", lines.isEmpty() ? List.of("nothing changed through opsbot") : lines),
                new Report.Section("outside opsbot (Marathon versions no opsbot operation made)",
                        outside.isEmpty() ? List.of("none") : outside)), false);
    }

    private static String format(Instant at) {
        return at == null ? "?" : TIME.format(at.atZone(ZoneId.systemDefault()));
    }

    /** What the journal and the log keep of a typed text: one line, invisible characters escaped as in errors, bounded. */
    private static String printable(String text) {
        String flat = text == null ? "" : CommandException.visible(text.replaceAll("[\\p{Cntrl}\"]", "?"));
        return flat.length() > 200 ? flat.substring(0, 200) + "…" : flat;
    }
}
