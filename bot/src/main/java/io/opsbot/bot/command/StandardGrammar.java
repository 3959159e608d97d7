package io.opsbot.bot.command;

import io.opsbot.engine.ops.ClusterOperations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The table of opsbot's commands, and next to each the small function that turns a {@link Match} into its
 * {@link Command}. Examples name the demo cluster's apps and nodes as {@code {app:nodeapp}}: the configured
 * name when it exists, else the first configured one of that kind, so help always shows runnable examples.
 */
final class StandardGrammar {

    private static final Slot APP = Slot.of(Kind.APP, "APP", "an app");
    private static final Slot NODE = Slot.of(Kind.NODE, "NODE", "a node");
    private static final Slot APP_OR_NODE = Slot.of(Kind.APP_OR_NODE, "APP|NODE", "an app or a node");
    private static final Slot LOG_TARGET = Slot.of(Kind.LOG_TARGET, "TARGET", "an app or a service");
    /** Marathon accepts more, but a thousand instances of one app is beyond any cluster this bot runs. */
    private static final Slot INSTANCES = Slot.number("N", "a number of instances", 0, 1000);
    private static final Slot VERSION = Slot.of(Kind.VERSION, "VERSION", "a version");
    private static final Slot OPERATION = Slot.of(Kind.OPERATION_ID, "OP", "an operation id");
    private static final Slot COMMAND = Slot.of(Kind.COMMAND, "COMMAND", "a command");
    /** The journal and the central log keep a week; asking further back finds nothing. */
    private static final Slot SINCE = Slot.duration("DURATION", "a duration", Duration.ofDays(7));
    /** Enough for any phrase worth searching for; longer text is a paste gone wrong. */
    private static final Slot GREP = Slot.text("TEXT", "some text to look for", 200);
    /** The engine's bound on logs output (64 KiB): more lines than this could never be shown. */
    private static final Slot LINES = Slot.number("N", "a number of lines", 1, ClusterOperations.MAX_LOG_LINES);

    /** A mute longer than a week is forgotten more than wanted; unmute ends one early. "for" before it is optional. */
    private static final Slot MUTE_DURATION = Slot.duration("for DURATION", "a duration", Duration.ofDays(7));
    private static final Slot SIM_ACTION = Slot.text("fail|heal|agent", "what to do: fail, heal or agent", 10);
    private static final Slot SIM_STATE = Slot.text("down|up", "down or up", 4);

    private static final Slot REPORT_ACTION = Slot.text("now|schedule|schedules|unschedule", "what to do", 20);
    /** A cron expression is at most seven short fields; more is not one. */
    private static final Slot REPORT_ARG = Slot.text("CRON|#CHANNEL|ID", "a cron expression, a channel or a schedule id", 120);
    private static final Slot REPORT_CHANNEL = Slot.text("#CHANNEL", "a channel", 120);
    private static final Slot ZONE = Slot.text("ZONE", "a time zone such as Europe/Paris or UTC", 60);
    private static final Pattern SCHEDULE_ID = Pattern.compile("(r|config)-[0-9a-f]{6,8}", Pattern.CASE_INSENSITIVE);
    /** "#ops", or Slack's escaped mention of a channel: "<#C0123ABC|ops>" or "<#C0123ABC>". */
    private static final Pattern CHANNEL = Pattern.compile("#([a-z0-9][a-z0-9._-]{0,79})|<#([A-Z0-9]+)(?:\\|[^>]*)?>");

    private static final Flag PLAN = Flag.toggle("plan", "show what would change and stop; nothing changes");
    private static final Flag FORCE = Flag.toggle("force", "override a Marathon deployment of the app that opsbot did not"
            + " start (Marathon's ?force=true) instead of waiting for it (at most engine.lockWait); asks for confirmation");

    private static final Pattern NAME_TEMPLATE = Pattern.compile("\\{(app|node|service):([^}]+)}");

    private final KnownNames names;
    private final List<VerbSpec> specs = new ArrayList<>();
    private final Map<String, Function<Match, Command>> builders = new LinkedHashMap<>();
    private final Grammar grammar;

    StandardGrammar(KnownNames names) {
        this(names, false);
    }

    /** @param emulated the cluster is the emulated one: the {@code sim} commands exist */
    StandardGrammar(KnownNames names, boolean emulated) {
        this.names = names;
        define("deploy", Role.OPERATOR,
                "Build the app's image, push it to the registry and roll it out on Marathon.",
                "Each step is skipped when it is already done: an image the registry has is not pushed again, and"
                        + " Marathon is not touched when it already runs that definition. A rollout that fails is"
                        + " rolled back.",
                List.of(new Param(APP, false, "the app to deploy")),
                List.of(Flag.valued("version", Slot.of(Kind.VERSION, "V", "a version"),
                                "the image tag to deploy; without it, a hash of the app's build context (its Dockerfile folder),"
                                        + " so the same source always gets the same tag"),
                        Flag.toggle("only", "skip the image build and push: only update the Marathon app (e.g. after changing instances or memory in app.yaml)"),
                        FORCE, PLAN),
                List.of(example("deploy {app:nodeapp}", "build, push and roll out {app:nodeapp}"),
                        example("deploy {app:nodeapp} --version 1.4.2 --plan",
                                "show what deploying version 1.4.2 would change"),
                        example("deploy {app:nodeapp} --only", "roll out the current definition of {app:nodeapp} without building its image"),
                        example("deploy {app:nodeapp} --force", "deploy now, overriding a Marathon deployment of {app:nodeapp} that"
                                + " opsbot did not start (asks for confirmation)")),
                m -> new Command.Deploy(m.text(0), m.flagText("version"), m.toggle("only"), m.toggle("plan"), m.toggle("force")));
        define("scale", Role.OPERATOR,
                "Set how many instances of an app run.",
                "N must lie within the app's limits (limits.minInstances and limits.maxInstances in its app.yaml);"
                        + " fewer or more is refused. Nothing changes when it already runs that many. Scaling to 0,"
                        + " where the minimum allows it, asks for confirmation.",
                List.of(new Param(APP, false, "the app to scale"),
                        new Param(INSTANCES, false, "how many instances should run")),
                List.of(FORCE, PLAN),
                List.of(example("scale {app:nodeapp} 3", "run three instances of {app:nodeapp}"),
                        example("scale {app:nodeapp} 1 --plan", "show what scaling {app:nodeapp} down to one instance would do"),
                        example("scale {app:nodeapp} 3 --force", "scale now, overriding another deployment of {app:nodeapp}"
                                + " (asks for confirmation)")),
                m -> new Command.Scale(m.text(0), m.number(1), m.toggle("plan"), m.toggle("force")));
        define("restart", Role.OPERATOR,
                "Restart an app's tasks without changing its definition.",
                "Marathon replaces the tasks as the app's upgrade strategy allows, so a healthy app keeps serving.",
                List.of(new Param(APP, false, "the app to restart")),
                List.of(FORCE),
                List.of(example("restart {app:nodeapp}", "replace every task of {app:nodeapp}"),
                        example("restart {app:nodeapp} --force", "restart now, overriding another deployment of {app:nodeapp}"
                                + " (asks for confirmation)")),
                m -> new Command.Restart(m.text(0), m.toggle("force")));
        define("rollback", Role.OPERATOR,
                "Return an app to an earlier version.",
                "Without VERSION, lists the app's recent Marathon versions with their dates, images and what each"
                        + " changed. VERSION is one of those Marathon versions, or an image tag (the newest version that"
                        + " ran it). Asks for confirmation.",
                List.of(new Param(APP, false, "the app to roll back"),
                        new Param(VERSION, true, "the version to return to; without it, the list to choose from")),
                List.of(FORCE),
                List.of(example("rollback {app:nodeapp}", "list the versions of {app:nodeapp} to return to"),
                        example("rollback {app:nodeapp} 2016-03-01T12:00:00.000Z",
                                "return {app:nodeapp} to that Marathon version"),
                        example("rollback {app:nodeapp} 1.4.2", "return {app:nodeapp} to the newest version that ran image 1.4.2"),
                        example("rollback {app:nodeapp} 1.4.2 --force", "the same, overriding another deployment of"
                                + " {app:nodeapp} in progress")),
                m -> new Command.Rollback(m.text(0), m.optionalText(1), m.toggle("force")));
        define("move", Role.ADMIN,
                "Move an app and its Flocker dataset to another node.",
                "Moves the dataset first and waits until it is there, then pins the app to NODE and checks the"
                        + " data. Asks for confirmation.",
                List.of(new Param(APP, false, "the app to move, with its data"),
                        new Param(NODE, false, "the node to move it to")),
                List.of(FORCE, PLAN),
                List.of(example("move {app:mongo} {node:node3}", "move {app:mongo} and its dataset to {node:node3}"),
                        example("move {app:mongo} {node:node3} --plan", "show the steps of that move, change nothing"),
                        example("move {app:mongo} {node:node3} --force", "move, overriding another deployment of {app:mongo}"
                                + " in progress")),
                m -> new Command.Move(m.text(0), m.text(1), m.toggle("plan"), m.toggle("force")));
        define("logs", Role.VIEWER,
                "Show recent log lines of an app or a cluster service.",
                "An app's lines come from the central log host; a service's from the journal of each node it runs"
                        + " on, or of one node with SERVICE@NODE.",
                List.of(new Param(LOG_TARGET, false, "whose lines to show")),
                List.of(Flag.valued("since", SINCE, CommandText.duration(Command.Logs.DEFAULT_SINCE),
                                "how far back to read"),
                        Flag.valued("grep", GREP, "only lines that contain this text, ignoring case"),
                        Flag.toggle("case", "with --grep: match upper and lower case exactly"),
                        Flag.valued("lines", LINES, Integer.toString(Command.Logs.DEFAULT_LINES),
                                "at most this many lines, the newest")),
                List.of(example("logs {app:nodeapp}", "the last 15 minutes of {app:nodeapp}'s log"),
                        example("logs {service:marathon} --since 1h", "Marathon's log of the last hour"),
                        example("logs {service:docker}@{node:node2} --grep \"connection refused\" --lines 50",
                                "the last 50 lines of Docker's log on {node:node2} that say connection refused"),
                        example("logs {service:marathon} --since 1h --grep Deployment --case",
                                "Marathon's lines of the last hour with 'Deployment' spelt exactly so")),
                m -> {
                    SlotReader.LogTarget target = m.value(0, SlotReader.LogTarget.class);
                    if (m.toggle("case") && m.flagText("grep").isEmpty()) {
                        throw new CommandException("--case says how --grep matches, and there is no --grep: add"
                                + " --grep TEXT, e.g. 'logs " + target.name() + " --grep Deployment --case'");
                    }
                    return new Command.Logs(target.name(), target.node(), m.flagDuration("since"),
                            m.flagText("grep"), m.flagNumber("lines"), m.toggle("case"));
                });
        define("status", Role.VIEWER,
                "Show the cluster, an app or a node: agents, tasks, health, deployments, Weave and Flocker.",
                "Without an argument, the whole cluster.",
                List.of(new Param(APP_OR_NODE, true, "what to show; without it, the whole cluster")),
                List.of(),
                List.of(example("status", "the whole cluster"),
                        example("status {app:nodeapp}", "{app:nodeapp}'s tasks, health and deployments"),
                        example("status {node:node2}", "{node:node2}'s resources, tasks and datasets")),
                m -> new Command.Status(m.optionalText(0)));
        define("drift", Role.VIEWER,
                "Compare what Marathon runs with the app catalog and show what was changed by hand.",
                "Instances, image, resources and constraints are compared. Without an argument, every app.",
                List.of(new Param(APP, true, "the app to compare; without it, every app")),
                List.of(),
                List.of(example("drift", "every app that differs from the catalog"),
                        example("drift {app:nodeapp}", "how {app:nodeapp} differs from the catalog")),
                m -> new Command.Drift(m.optionalText(0)));
        define("history", Role.VIEWER,
                "List recent operations, newest first.",
                "With an app, only the operations on that app.",
                List.of(new Param(APP, true, "the app whose operations to list; without it, all")),
                List.of(),
                List.of(example("history", "the latest operations"),
                        example("history {app:nodeapp}", "the latest operations on {app:nodeapp}")),
                m -> new Command.History(m.optionalText(0)));
        define("who deployed", Role.VIEWER,
                "Say who last deployed an app, when, and which version.",
                "",
                List.of(new Param(APP, false, "the app to ask about")),
                List.of(),
                List.of(example("who deployed {app:nodeapp}", "the last deployment of {app:nodeapp}")),
                m -> new Command.WhoDeployed(m.text(0)));
        define("what changed", Role.VIEWER,
                "List the operations of the last hour, or of the time --since gives.",
                "",
                List.of(),
                List.of(Flag.valued("since", SINCE, CommandText.duration(Command.WhatChanged.DEFAULT_SINCE),
                        "how far back to look")),
                List.of(example("what changed", "operations of the last hour"),
                        example("what changed --since 6h", "operations of the last six hours")),
                m -> new Command.WhatChanged(m.flagDuration("since")));
        define("why", Role.VIEWER,
                "Explain why an app is not well, in one answer.",
                "Wanted, running and healthy instances and since when; a deployment and what it waits for (Marathon's"
                        + " launch queue and the offers it could not use); the last task failures and health check"
                        + " failures; recent changes through opsbot and outside it; the last error lines of its log;"
                        + " and what to run next. Each part says so when its source cannot be reached.",
                List.of(new Param(APP, false, "the app to explain")),
                List.of(),
                List.of(example("why {app:nodeapp}", "why {app:nodeapp} is not well, or that it is")),
                m -> new Command.Why(m.text(0)));
        define("report", Role.OPERATOR,
                "Send a health report now, or schedule one.",
                "report now [#CHANNEL] builds the report (the verdict first, then agents, apps, what changed since"
                        + " the last one, network, storage and opsbot itself). report schedule \"CRON\" [#CHANNEL]"
                        + " [--tz ZONE] sends one on a Quartz cron schedule (seconds first: \"0 0 9 * * ?\" is 09:00"
                        + " every day); the answer names the next three times. report schedules lists them;"
                        + " report unschedule ID (admin) removes one. With several opsbots on one journal, each"
                        + " report is sent once.",
                List.of(new Param(REPORT_ACTION, false, "now, schedule, schedules or unschedule"),
                        new Param(REPORT_ARG, true, "the cron expression (schedule), the channel (now) or the id (unschedule)"),
                        new Param(REPORT_CHANNEL, true, "the channel to send to (schedule)")),
                List.of(Flag.valued("tz", ZONE, "the time zone of the cron expression (default: the bot's, reports.timeZone)")),
                List.of(example("report now", "a health report here, now"),
                        example("report now #ops", "a health report in #ops"),
                        example("report schedule \"0 0 9 ? * MON-FRI\" #ops --tz Europe/Paris",
                                "a report in #ops at 09:00 Paris time on weekdays"),
                        example("report schedules", "the schedules and when each fires next"),
                        example("report unschedule r-3f9a2c", "stop schedule r-3f9a2c")),
                StandardGrammar::report);
        define("cancel", Role.OPERATOR,
                "Cancel a running operation between two of its steps.",
                "Operators may cancel their own operations, admins anyone's. The operation stops after its current"
                        + " step and says in which state it left things.",
                List.of(new Param(OPERATION, false, "the operation to cancel")),
                List.of(),
                List.of(example("cancel op-7f3a2c", "stop operation op-7f3a2c after its current step")),
                m -> new Command.Cancel(m.text(0)));
        define("incidents", Role.VIEWER,
                "List open incidents and those of the last day, with counts, durations and a link to each alert.",
                "With an app or a node, only its incidents; --since looks further back or less far.",
                List.of(new Param(APP_OR_NODE, true, "whose incidents to list; without it, all")),
                List.of(Flag.valued("since", SINCE, CommandText.duration(Command.Incidents.DEFAULT_SINCE),
                        "how far back to look")),
                List.of(example("incidents", "open incidents and those of the last 24 hours"),
                        example("incidents {app:nodeapp} --since 7d", "{app:nodeapp}'s incidents of the last week")),
                m -> new Command.Incidents(m.optionalText(0), m.flagDuration("since")));
        define("mute", Role.OPERATOR,
                "Stop posting and editing alerts of an app or a node for a while (2h unless you say).",
                "Incidents are still recorded; when the mute ends, the latest state is shown. Takes effect at once"
                        + " on every replica, and is said in the incident's thread.",
                List.of(new Param(APP_OR_NODE, false, "what to mute"),
                        new Param(MUTE_DURATION, true, "how long, after the word 'for'; 2h without it")),
                List.of(),
                List.of(example("mute {app:nodeapp}", "no alerts of {app:nodeapp} for 2 hours"),
                        example("mute {node:node3} for 30m", "no alerts of {node:node3} for 30 minutes")),
                StandardGrammar::mute);
        define("unmute", Role.OPERATOR,
                "End a mute at once: the alerts of that app or node show again.",
                "",
                List.of(new Param(APP_OR_NODE, false, "what to unmute")),
                List.of(),
                List.of(example("unmute {app:nodeapp}", "show {app:nodeapp}'s alerts again")),
                m -> new Command.Unmute(m.text(0)));
        define("mutes", Role.VIEWER,
                "List the mutes in force, who set them and until when.",
                "",
                List.of(),
                List.of(),
                List.of(example("mutes", "every mute in force")),
                m -> new Command.Mutes());
        if (emulated) {
            define("sim", Role.OPERATOR,
                    "Make the emulated cluster misbehave, to see alerts: fail or heal an app, take an agent down or up.",
                    "sim fail APP: its tasks keep failing their health checks (or crash); sim heal APP ends that;"
                            + " sim agent NODE down|up stops or restarts a node's Mesos agent. Only on the emulated cluster.",
                    List.of(new Param(SIM_ACTION, false, "fail, heal or agent"),
                            new Param(APP_OR_NODE, false, "the app (fail, heal) or node (agent)"),
                            new Param(SIM_STATE, true, "down or up, for agent")),
                    List.of(),
                    List.of(example("sim fail {app:nodeapp}", "{app:nodeapp}'s health checks fail from now on"),
                            example("sim heal {app:nodeapp}", "{app:nodeapp} is well again"),
                            example("sim agent {node:node3} down", "{node:node3}'s agent is lost")),
                    this::sim);
        }
        define("help", Role.VIEWER,
                "List the commands, or explain one.",
                "",
                List.of(new Param(COMMAND, true, "the command to explain; without it, the list")),
                List.of(),
                List.of(example("help", "this list"), example("help deploy", "how to use deploy")),
                m -> new Command.Help(m.optionalText(0)));
        grammar = new Grammar(specs);
    }

    private static Command mute(Match m) {
        Optional<Object> duration = m.args().get(1);
        return new Command.Mute(m.text(0), duration.map(Duration.class::cast).orElse(Command.Mute.DEFAULT_DURATION));
    }

    private Command sim(Match m) {
        String action = m.text(0).toLowerCase(Locale.ROOT);
        String target = m.text(1);
        Optional<String> state = m.optionalText(2).map(t -> t.toLowerCase(Locale.ROOT));
        switch (action) {
            case "fail", "heal" -> {
                if (!names.apps().contains(target)) {
                    throw new CommandException("sim " + action + " needs an app, and '" + target + "' is a node; apps: "
                            + String.join(", ", names.apps()));
                }
                if (state.isPresent()) {
                    throw new CommandException("sim " + action + " takes only an app: sim " + action + " " + target);
                }
                return new Command.Sim(action, target);
            }
            case "agent" -> {
                if (!names.nodes().contains(target)) {
                    throw new CommandException("sim agent needs a node, and '" + target + "' is an app; nodes: "
                            + String.join(", ", names.nodes()));
                }
                if (state.isEmpty() || !(state.get().equals("down") || state.get().equals("up"))) {
                    throw new CommandException("sim agent " + target + " needs down or up: sim agent " + target + " down");
                }
                return new Command.Sim("agent-" + state.get(), target);
            }
            default -> throw new CommandException("sim can fail, heal or agent, not '" + Phrases.shown(m.text(0))
                    + "': sim fail APP, sim heal APP, sim agent NODE down|up");
        }
    }

    /** report now|schedule|schedules|unschedule: one verb (a verb's first word is its key), read here. */
    private static Command report(Match m) {
        String action = m.text(0).toLowerCase(Locale.ROOT);
        Optional<String> arg = m.optionalText(1);
        Optional<String> third = m.optionalText(2);
        Optional<String> zone = m.flagText("tz");
        if (zone.isPresent() && !action.equals("schedule")) {
            throw new CommandException("--tz is for report schedule: report schedule \"0 0 9 * * ?\" #ops --tz Europe/Paris");
        }
        switch (action) {
            case "now" -> {
                refuseExtra("report now", third, "report now #ops");
                return new Command.ReportNow(arg.map(StandardGrammar::channel));
            }
            case "schedule" -> {
                String cron = arg.orElseThrow(() -> new CommandException("report schedule needs a Quartz cron expression in"
                        + " quotes: report schedule \"0 0 9 * * ?\" #ops (09:00 every day)"));
                if (cron.strip().split("\\s+").length < 6) {
                    throw new CommandException("'" + Phrases.shown(cron) + "' is not a Quartz cron expression: it has six or"
                            + " seven fields, seconds first, in quotes: report schedule \"0 0 9 * * ?\" #ops");
                }
                zone.ifPresent(StandardGrammar::zone);
                return new Command.ReportSchedule(cron.strip(), third.map(StandardGrammar::channel), zone);
            }
            case "schedules" -> {
                refuseExtra("report schedules", arg, "report schedules");
                return new Command.ReportSchedules();
            }
            case "unschedule" -> {
                String id = arg.orElseThrow(() -> new CommandException(
                        "report unschedule needs the schedule's id; 'report schedules' lists them"));
                if (!SCHEDULE_ID.matcher(id).matches()) {
                    throw new CommandException("'" + Phrases.shown(id) + "' is not a schedule id (like r-3f9a2c);"
                            + " 'report schedules' lists them");
                }
                refuseExtra("report unschedule", third, "report unschedule r-3f9a2c");
                return new Command.ReportUnschedule(id.toLowerCase(Locale.ROOT));
            }
            default -> throw new CommandException("report " + Phrases.shown(action) + " is not one: report now [#CHANNEL],"
                    + " report schedule \"CRON\" [#CHANNEL] [--tz ZONE], report schedules, report unschedule ID");
        }
    }

    private static void refuseExtra(String command, Optional<String> extra, String example) {
        if (extra.isPresent()) {
            throw new CommandException(command + " takes no '" + Phrases.shown(extra.get()) + "': e.g. " + example);
        }
    }

    private static String channel(String text) {
        Matcher matcher = CHANNEL.matcher(text.strip());
        if (!matcher.matches()) {
            throw new CommandException("'" + Phrases.shown(text) + "' is not a channel: write it with its #, e.g. #ops");
        }
        return matcher.group(1) != null ? "#" + matcher.group(1) : matcher.group(2);
    }

    private static void zone(String text) {
        try {
            java.time.ZoneId.of(text);
        } catch (java.time.DateTimeException e) {
            throw new CommandException("'" + Phrases.shown(text) + "' is not a time zone: use a name such as Europe/Paris,"
                    + " America/New_York or UTC");
        }
    }

    Grammar grammar() {
        return grammar;
    }

    /** The command for a match of the spec named {@code match.spec().name()}. */
    Command build(Match match) {
        return builders.get(match.spec().name()).apply(match);
    }

    private void define(String name, Role role, String summary, String details, List<Param> params,
                        List<Flag> flags, List<Example> examples, Function<Match, Command> build) {
        VerbSpec spec = new VerbSpec(name, role, summary, details, params, flags, examples);
        specs.add(spec);
        builders.put(name, build);
    }

    private Example example(String text, String explanation) {
        return new Example(resolve(text), resolve(explanation));
    }

    private String resolve(String template) {
        Matcher matcher = NAME_TEMPLATE.matcher(template);
        StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            Collection<String> known = namesOf(matcher.group(1));
            matcher.appendReplacement(out, Matcher.quoteReplacement(pick(matcher.group(2), known)));
        }
        matcher.appendTail(out);
        return out.toString();
    }

    private Collection<String> namesOf(String kind) {
        if (kind.equals("app")) {
            return names.apps();
        }
        return kind.equals("node") ? names.nodes() : names.services();
    }

    private static String pick(String preferred, Collection<String> known) {
        Optional<String> same = known.stream()
                .filter(n -> n.toLowerCase(Locale.ROOT).equals(preferred.toLowerCase(Locale.ROOT))).findFirst();
        return same.orElse(known.stream().findFirst().orElse(preferred));
    }
}
