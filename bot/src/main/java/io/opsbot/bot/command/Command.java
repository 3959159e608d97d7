package io.opsbot.bot.command;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A parsed chat command: plain data, independent of the chat platform. Names in it are the configured
 * spellings, already checked against the configuration. {@link #text()} is the canonical form, which parses
 * back to an equal command; the journal keeps it so that recovery can plan the same command again.
 */
public sealed interface Command permits Command.Deploy, Command.Scale, Command.Restart, Command.Rollback,
        Command.Move, Command.Logs, Command.Status, Command.Drift, Command.History, Command.WhoDeployed,
        Command.WhatChanged, Command.Cancel, Command.Help, Command.Incidents, Command.Mute, Command.Unmute,
        Command.Mutes, Command.Sim, Command.ReportNow, Command.ReportSchedule, Command.ReportSchedules,
        Command.ReportUnschedule, Command.Why {

    /** The command's name as the grammar has it: "deploy", "who deployed". */
    String verb();

    /** Whether only the plan is wanted (show what would change, change nothing). */
    default boolean plan() {
        return false;
    }

    /**
     * Whether a Marathon deployment of the app that opsbot did not start is overridden (Marathon's ?force=true)
     * instead of waited for; such a command asks for confirmation.
     */
    default boolean force() {
        return false;
    }

    /** Canonical text, e.g. "scale nodeapp 3"; parsing it gives back an equal command. */
    String text();

    /** {@code deploy APP [--version V] [--only] [--force] [--plan]}. */
    record Deploy(String app, Optional<String> version, boolean only, boolean plan, boolean force) implements Command {
        public Deploy {
            Objects.requireNonNull(app, "app");
            Objects.requireNonNull(version, "version");
        }

        public Deploy(String app, Optional<String> version, boolean only, boolean plan) {
            this(app, version, only, plan, false);
        }

        @Override
        public String verb() {
            return "deploy";
        }

        @Override
        public String text() {
            return new CommandText(verb()).word(app).option("version", version).toggle("only", only)
                    .toggle("force", force).toggle("plan", plan).toString();
        }
    }

    /** {@code scale APP N [--force] [--plan]}. */
    record Scale(String app, int instances, boolean plan, boolean force) implements Command {
        public Scale {
            Objects.requireNonNull(app, "app");
        }

        public Scale(String app, int instances, boolean plan) {
            this(app, instances, plan, false);
        }

        @Override
        public String verb() {
            return "scale";
        }

        @Override
        public String text() {
            return new CommandText(verb()).word(app).word(Integer.toString(instances)).toggle("force", force)
                    .toggle("plan", plan).toString();
        }
    }

    /** {@code restart APP [--force]}. */
    record Restart(String app, boolean force) implements Command {
        public Restart {
            Objects.requireNonNull(app, "app");
        }

        public Restart(String app) {
            this(app, false);
        }

        @Override
        public String verb() {
            return "restart";
        }

        @Override
        public String text() {
            return new CommandText(verb()).word(app).toggle("force", force).toString();
        }
    }

    /** {@code rollback APP [VERSION] [--force]}; without a version, to the one before the current. */
    record Rollback(String app, Optional<String> version, boolean force) implements Command {
        public Rollback {
            Objects.requireNonNull(app, "app");
            Objects.requireNonNull(version, "version");
        }

        public Rollback(String app, Optional<String> version) {
            this(app, version, false);
        }

        @Override
        public String verb() {
            return "rollback";
        }

        @Override
        public String text() {
            return new CommandText(verb()).word(app).word(version).toggle("force", force).toString();
        }
    }

    /** {@code move APP NODE [--force] [--plan]}. */
    record Move(String app, String node, boolean plan, boolean force) implements Command {
        public Move {
            Objects.requireNonNull(app, "app");
            Objects.requireNonNull(node, "node");
        }

        public Move(String app, String node, boolean plan) {
            this(app, node, plan, false);
        }

        @Override
        public String verb() {
            return "move";
        }

        @Override
        public String text() {
            return new CommandText(verb()).word(app).word(node).toggle("force", force).toggle("plan", plan).toString();
        }
    }

    /**
     * {@code logs TARGET [--since D] [--grep TEXT] [--lines N]}.
     *
     * @param target an app or a service
     * @param node      for a service, the one node to read it on ({@code docker@node2}); empty for all
     * @param exactCase {@code --case}: the search matches letter case exactly; by default it ignores case
     */
    record Logs(String target, Optional<String> node, Duration since, Optional<String> grep, int lines,
                boolean exactCase) implements Command {

        public static final Duration DEFAULT_SINCE = Duration.ofMinutes(15);
        public static final int DEFAULT_LINES = 200;

        public Logs {
            Objects.requireNonNull(target, "target");
            Objects.requireNonNull(node, "node");
            Objects.requireNonNull(since, "since");
            Objects.requireNonNull(grep, "grep");
        }

        /** A search ignoring case. */
        public Logs(String target, Optional<String> node, Duration since, Optional<String> grep, int lines) {
            this(target, node, since, grep, lines, false);
        }

        /** The last 15 minutes, at most 200 lines, unfiltered. */
        public Logs(String target, Optional<String> node) {
            this(target, node, DEFAULT_SINCE, Optional.empty(), DEFAULT_LINES);
        }

        @Override
        public String verb() {
            return "logs";
        }

        @Override
        public String text() {
            CommandText text = new CommandText(verb()).word(target + node.map(n -> "@" + n).orElse(""));
            if (!since.equals(DEFAULT_SINCE)) {
                text.option("since", CommandText.duration(since));
            }
            text.option("grep", grep);
            if (lines != DEFAULT_LINES) {
                text.option("lines", Integer.toString(lines));
            }
            return text.toggle("case", exactCase).toString();
        }
    }

    /** {@code status [APP|NODE]}; empty for the whole cluster. */
    record Status(Optional<String> target) implements Command {
        public Status {
            Objects.requireNonNull(target, "target");
        }

        @Override
        public String verb() {
            return "status";
        }

        @Override
        public String text() {
            return new CommandText(verb()).word(target).toString();
        }
    }

    /** {@code drift [APP]}; empty for every app of the catalog. */
    record Drift(Optional<String> app) implements Command {
        public Drift {
            Objects.requireNonNull(app, "app");
        }

        @Override
        public String verb() {
            return "drift";
        }

        @Override
        public String text() {
            return new CommandText(verb()).word(app).toString();
        }
    }

    /** {@code history [APP]}; empty for all operations. */
    record History(Optional<String> app) implements Command {
        public History {
            Objects.requireNonNull(app, "app");
        }

        @Override
        public String verb() {
            return "history";
        }

        @Override
        public String text() {
            return new CommandText(verb()).word(app).toString();
        }
    }

    /** {@code who deployed APP}. */
    record WhoDeployed(String app) implements Command {
        public WhoDeployed {
            Objects.requireNonNull(app, "app");
        }

        @Override
        public String verb() {
            return "who deployed";
        }

        @Override
        public String text() {
            return new CommandText(verb()).word(app).toString();
        }
    }

    /** {@code what changed [--since D]}. */
    record WhatChanged(Duration since) implements Command {

        public static final Duration DEFAULT_SINCE = Duration.ofHours(1);

        public WhatChanged {
            Objects.requireNonNull(since, "since");
        }

        @Override
        public String verb() {
            return "what changed";
        }

        @Override
        public String text() {
            CommandText text = new CommandText(verb());
            if (!since.equals(DEFAULT_SINCE)) {
                text.option("since", CommandText.duration(since));
            }
            return text.toString();
        }
    }

    /** {@code cancel OP}. */
    record Cancel(String operationId) implements Command {
        public Cancel {
            Objects.requireNonNull(operationId, "operationId");
        }

        @Override
        public String verb() {
            return "cancel";
        }

        @Override
        public String text() {
            return new CommandText(verb()).word(operationId).toString();
        }
    }

    /**
     * {@code help [COMMAND]}.
     *
     * @param topic the command asked about, by its full name ("who deployed"); empty for the list
     */
    record Help(Optional<String> topic) implements Command {
        public Help {
            Objects.requireNonNull(topic, "topic");
        }

        @Override
        public String verb() {
            return "help";
        }

        @Override
        public String text() {
            CommandText text = new CommandText(verb());
            topic.ifPresent(t -> {
                for (String word : t.split(" ")) {
                    text.word(word);
                }
            });
            return text.toString();
        }
    }

    /** {@code incidents [--since 24h] [APP|NODE]}: open incidents and those seen since then. */
    record Incidents(Optional<String> subject, Duration since) implements Command {

        public static final Duration DEFAULT_SINCE = Duration.ofHours(24);

        public Incidents {
            Objects.requireNonNull(subject, "subject");
            Objects.requireNonNull(since, "since");
        }

        @Override
        public String verb() {
            return "incidents";
        }

        @Override
        public String text() {
            CommandText text = new CommandText(verb()).word(subject);
            if (!since.equals(DEFAULT_SINCE)) {
                text.option("since", CommandText.duration(since));
            }
            return text.toString();
        }
    }

    /** {@code mute APP|NODE [for 2h]}: its alerts are not posted or edited until then. */
    record Mute(String target, Duration duration) implements Command {

        public static final Duration DEFAULT_DURATION = Duration.ofHours(2);

        public Mute {
            Objects.requireNonNull(target, "target");
            Objects.requireNonNull(duration, "duration");
        }

        @Override
        public String verb() {
            return "mute";
        }

        @Override
        public String text() {
            return new CommandText(verb()).word(target).word("for").word(CommandText.duration(duration)).toString();
        }
    }

    /** {@code unmute APP|NODE}. */
    record Unmute(String target) implements Command {
        public Unmute {
            Objects.requireNonNull(target, "target");
        }

        @Override
        public String verb() {
            return "unmute";
        }

        @Override
        public String text() {
            return new CommandText(verb()).word(target).toString();
        }
    }

    /** {@code mutes}: the mutes in force. */
    record Mutes() implements Command {
        @Override
        public String verb() {
            return "mutes";
        }

        @Override
        public String text() {
            return verb();
        }
    }

    /**
     * {@code sim fail APP}, {@code sim heal APP}, {@code sim agent NODE down|up}: make the emulated cluster misbehave
     * (only there).
     *
     * @param action fail, heal, agent-down or agent-up
     */
    record Sim(String action, String target) implements Command {
        public Sim {
            Objects.requireNonNull(action, "action");
            Objects.requireNonNull(target, "target");
        }

        @Override
        public String verb() {
            return "sim";
        }

        @Override
        public String text() {
            return switch (action) {
                case "agent-down" -> new CommandText(verb()).word("agent").word(target).word("down").toString();
                case "agent-up" -> new CommandText(verb()).word("agent").word(target).word("up").toString();
                default -> new CommandText(verb()).word(action).word(target).toString();
            };
        }
    }

    /**
     * {@code report now [#CHANNEL]}: a health report, here or in another channel.
     *
     * @param channel "#name", or a Slack channel id (C0123ABC) when the channel was given as Slack's mention of it
     */
    record ReportNow(Optional<String> channel) implements Command {
        public ReportNow {
            Objects.requireNonNull(channel, "channel");
        }

        @Override
        public String verb() {
            return "report";
        }

        @Override
        public String text() {
            return new CommandText(verb()).word("now").word(channel.map(CommandText::channel)).toString();
        }
    }

    /** {@code report schedule "CRON" [#CHANNEL] [--tz ZONE]}. */
    record ReportSchedule(String cron, Optional<String> channel, Optional<String> zone) implements Command {
        public ReportSchedule {
            Objects.requireNonNull(cron, "cron");
            Objects.requireNonNull(channel, "channel");
            Objects.requireNonNull(zone, "zone");
        }

        @Override
        public String verb() {
            return "report";
        }

        @Override
        public String text() {
            CommandText text = new CommandText(verb()).word("schedule").word(cron).word(channel.map(CommandText::channel));
            zone.ifPresent(z -> text.option("tz", z));
            return text.toString();
        }
    }

    /** {@code report schedules}: the schedules, with their next fire times. */
    record ReportSchedules() implements Command {
        @Override
        public String verb() {
            return "report";
        }

        @Override
        public String text() {
            return new CommandText(verb()).word("schedules").toString();
        }
    }

    /** {@code report unschedule ID} (admin). */
    record ReportUnschedule(String id) implements Command {
        public ReportUnschedule {
            Objects.requireNonNull(id, "id");
        }

        @Override
        public String verb() {
            return "report";
        }

        @Override
        public String text() {
            return new CommandText(verb()).word("unschedule").word(id).toString();
        }
    }

    /** {@code why APP}: why an app is not well, in one answer. */
    record Why(String app) implements Command {
        public Why {
            Objects.requireNonNull(app, "app");
        }

        @Override
        public String verb() {
            return "why";
        }

        @Override
        public String text() {
            return new CommandText(verb()).word(app).toString();
        }
    }
}
