package io.opsbot.bot;

import io.opsbot.bot.command.Command;
import io.opsbot.bot.command.CommandParser;
import io.opsbot.engine.Engine;
import io.opsbot.engine.Journal;
import io.opsbot.engine.OperationEntry;
import io.opsbot.engine.Operation;
import io.opsbot.engine.Origin;
import io.opsbot.engine.Outcome;
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
    private final ReportService reports;
    private final WhyReport why;

    public Dispatcher(CommandParser parser, Engine engine, Journal journal, ClusterOperations cluster, Clock clock,
                      ReportService reports, WhyReport why) {
        this.parser = parser;
        this.engine = engine;
        this.journal = journal;
        this.cluster = cluster;
        this.clock = clock;
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
        } else if (response instanceof Response.NeedsConfirmation) {
            outcome = "waiting for confirmation; nothing changed";
        } else {
            outcome = "rejected: " + ((Response.Rejected) response).message();
        }
        record(request, outcome);
        return response;
    }

    /** Records a command that is not an operation (also what the access layer denied or saw confirmed). */
    public void record(Request request, String outcome) {
        Instant now = clock.instant();
        String state = outcome.startsWith("rejected") || outcome.startsWith("denied") || outcome.startsWith("error")
                ? Outcome.State.REFUSED.name() : Outcome.State.SUCCEEDED.name();
        String text = printable(request.text());
        try {
            journal.operationStarted(new OperationEntry(COMMAND_PREFIX + Long.toHexString(ids.nextLong() >>> 16),
                    COMMAND_KIND, text.isBlank() ? "(empty)" : text, new Origin(request.user(), request.channel(), text),
                    List.of(), "", state, now, now, outcome.length() > 500 ? outcome.substring(0, 500) + "…" : outcome));
        } catch (RuntimeException e) {
            // the answer still goes out; the log line above keeps the record
            log.warn("event=journal-failed user={} text=\"{}\" reason=\"{}\"", request.user(), text, e.getMessage());
        }
    }

    private Response run(Command command, Request request, ProgressListener listener) {
        Operation operation = operationFor(command);
        if (operation != null) {
            if (command.plan()) {
                return new Response.Planned(engine.plan(operation));
            }
            if (operation.needsConfirmation() && !request.confirmed()) {
                return new Response.NeedsConfirmation(engine.plan(operation),
                        "it is destructive; confirm to run it");
            }
            return new Response.Finished(engine.apply(operation, request.origin(), listener));
        }
        return new Response.Answer(answer(command, request));
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
            return cluster.scale(c.app(), c.instances());
        }
        if (command instanceof Command.Restart c) {
            return cluster.restart(c.app());
        }
        if (command instanceof Command.Deploy c) {
            return cluster.deploy(c.app(), c.version().orElse(null), c.only());
        }
        if (command instanceof Command.Rollback c) {
            return c.version().map(v -> cluster.rollback(c.app(), v)).orElse(null);
        }
        if (command instanceof Command.Move c) {
            return cluster.move(c.app(), c.node());
        }
        return null;
    }

    private Report answer(Command command, Request request) {
        if (command instanceof Command.Help c) {
            String text = c.topic().map(parser::help).orElseGet(parser::help);
            return new Report("help", List.of(new Report.Section("", List.of(text.split("\n")), true)), false);
        }
        if (command instanceof Command.Status c) {
            return cluster.status(c.target().orElse(null));
        }
        if (command instanceof Command.Logs c) {
            return cluster.logs(c.target(), c.node().orElse(null), c.since(), c.grep().orElse(null), c.lines());
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

    private Report reportNow(Command.ReportNow c, Request request) {
        HealthText text = new HealthText(reports.zone());
        if (c.channel().isEmpty() || c.channel().get().equals(request.channel())) {
            return text.asReport(reports.now(), false);
        }
        HealthReport sent = reports.send(c.channel().get());
        return new Report("report sent", List.of(new Report.Section("", List.of("sent a health report to "
                + c.channel().get() + ": " + sent.verdict()))), false);
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
            lines.add(format(e.startedAt()) + "  " + e.id() + "  " + e.title() + "  " + e.state().toLowerCase(Locale.ROOT)
                    + (e.summary() == null ? "" : " (" + e.summary() + ")") + "  by " + e.origin().requester()
                    + " in " + e.origin().channel());
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

    private static String printable(String text) {
        String flat = text == null ? "" : text.replaceAll("[\\p{Cntrl}\"]", "?");
        return flat.length() > 200 ? flat.substring(0, 200) + "…" : flat;
    }
}
