package io.opsbot.bot.access;

import io.opsbot.bot.command.CommandParser;
import io.opsbot.bot.command.Example;
import io.opsbot.bot.command.Grammar;
import io.opsbot.bot.command.KnownNames;
import io.opsbot.bot.command.Role;
import io.opsbot.bot.command.VerbSpec;
import io.opsbot.config.OpsbotConfig.AccessConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Who may run what, where — every command of the grammar (each of its examples, so sub-forms such as
 * {@code report unschedule} are in), tried by a caller of every role, in a channel with no rules and in one that
 * allows only a few commands — and what the configuration says each try must give. The expectation is read from the
 * configuration and the grammar here, not from {@link Access}, so the two can be checked against each other.
 */
public final class AccessTable {

    public static final String OPEN = "C0OPS";
    public static final String RESTRICTED = "C0PROD";
    public static final List<String> RESTRICTED_ALLOWS = List.of("status", "logs", "history");
    /** An operation started by {@link #OPERATOR}, for cancel. */
    public static final String OPERATORS_OP = "op-0000a1";

    public static final String ADMIN = "UADMIN";
    public static final String OPERATOR = "UOPS";
    /** An operator through the user group SONCALL. */
    public static final String PAGED = "UPAGED";
    public static final String VIEWER = "UVIEW";
    public static final String NOBODY = "UNOBODY";

    public static final AccessConfig CONFIG = new AccessConfig(Map.of(
            "admin", List.of(ADMIN),
            "operator", List.of(OPERATOR, "SONCALL"),
            "viewer", List.of(VIEWER)),
            Map.of(RESTRICTED, RESTRICTED_ALLOWS), "5m");
    public static final GroupDirectory GROUPS = id -> id.equals("SONCALL") ? Set.of(PAGED) : Set.of();
    public static final OperationOwners OWNERS = id -> id.equals(OPERATORS_OP) ? Optional.of(OPERATOR) : Optional.empty();

    /** Who tries, and how the configuration gives them their role. */
    public record Caller(String user, String holds) {}

    public static final List<Caller> CALLERS = List.of(
            new Caller(ADMIN, "admin"),
            new Caller(OPERATOR, "operator"),
            new Caller(PAGED, "operator via group SONCALL"),
            new Caller(VIEWER, "viewer"),
            new Caller(NOBODY, "no role"));

    public static final List<String> CHANNELS = List.of(OPEN, RESTRICTED);

    /** One try: {@code allowed} is what the configuration says; {@code why} says which rule decides. */
    public record Case(String command, Caller caller, String channel, boolean allowed, String why) {}

    private AccessTable() {}

    /** The grammar of the emulated cluster (it has every command, {@code sim} too), with the demo cluster's names. */
    public static Grammar grammar() {
        return new CommandParser(KnownNames.withDefaultServices(List.of("nginx", "nodeapp", "mongo"),
                List.of("node1", "node2", "node3")), true).grammar();
    }

    /** Every example of every command, and {@code cancel} of an operator's operation. */
    public static List<String> commands(Grammar grammar) {
        return commands(grammar, true);
    }

    /**
     * @param everyExample false: one example per distinct rule — each command once, and {@code report unschedule}
     *                     besides {@code report} — for a quicker table with the same rules in it
     */
    public static List<String> commands(Grammar grammar, boolean everyExample) {
        Map<String, String> out = new LinkedHashMap<>();
        for (VerbSpec spec : grammar.verbs()) {
            for (Example example : spec.examples()) {
                String text = spec.key().equals("cancel") ? "cancel " + OPERATORS_OP : example.text();
                String[] words = text.split(" ");
                String rule = words[0] + (words[0].equals("report") && words.length > 1 && words[1].equals("unschedule") ? " unschedule" : "");
                out.putIfAbsent(everyExample ? text : rule, text);
            }
        }
        return List.copyOf(new LinkedHashSet<>(out.values()));
    }

    /** Every command by every caller in every channel, with what the configuration says. */
    public static List<Case> cases(Grammar grammar) {
        return cases(grammar, true);
    }

    /** @param everyExample see {@link #commands(Grammar, boolean)} */
    public static List<Case> cases(Grammar grammar, boolean everyExample) {
        List<Case> out = new ArrayList<>();
        for (String command : commands(grammar, everyExample)) {
            for (String channel : CHANNELS) {
                for (Caller caller : CALLERS) {
                    out.add(expected(grammar, command, caller, channel));
                }
            }
        }
        return out;
    }

    /**
     * What the configuration and the grammar say: a channel with a list allows only those commands (help always);
     * then the caller's highest role must include the command's role; {@code report unschedule} and cancelling
     * another's operation need admin (README: commands table and Slack roles).
     */
    public static Case expected(Grammar grammar, String command, Caller caller, String channel) {
        String verb = command.split(" ")[0];
        List<String> allows = CONFIG.channels().get(channel);
        if (allows != null && !verb.equals("help") && !allows.contains(verb)) {
            return new Case(command, caller, channel, false, "channel allows " + String.join(", ", allows));
        }
        Role needed = grammar.verb(verb).orElseThrow().role();
        String[] words = command.split(" ");
        if (verb.equals("report") && words.length > 1 && words[1].equals("unschedule")) {
            needed = Role.ADMIN;
        }
        if (verb.equals("cancel") && !caller.user().equals(OPERATOR)) {
            needed = Role.ADMIN;
        }
        Optional<Role> has = roleOf(caller.user());
        if (has.isEmpty()) {
            return new Case(command, caller, channel, false, "no role");
        }
        return has.get().includes(needed) ? new Case(command, caller, channel, true, has.get().label())
                : new Case(command, caller, channel, false, "needs " + needed.label());
    }

    /** The highest role the configuration gives the user: listed, through a group, or through "*". */
    static Optional<Role> roleOf(String user) {
        Optional<Role> best = Optional.empty();
        for (Map.Entry<String, List<String>> e : CONFIG.roles().entrySet()) {
            Role role = Role.valueOf(e.getKey().toUpperCase(Locale.ROOT));
            boolean holds = e.getValue().stream().anyMatch(id -> id.equals("*") || id.equals(user)
                    || GROUPS.members(id).contains(user));
            if (holds && best.map(b -> !b.includes(role)).orElse(true)) {
                best = Optional.of(role);
            }
        }
        return best;
    }

    /**
     * The table as text: one row per command, one column per caller and channel, ✓ allowed and · denied; a cell
     * where {@code actual} disagrees with the configuration is marked ✗ (allowed, should not be) or ! (denied, should
     * not be).
     */
    public static String render(List<Case> cases, Predicate<Case> actual) {
        Map<String, List<Case>> byCommand = new LinkedHashMap<>();
        cases.forEach(c -> byCommand.computeIfAbsent(c.command(), k -> new ArrayList<>()).add(c));
        int width = byCommand.keySet().stream().mapToInt(String::length).max().orElse(10);
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "%-" + width + "s", "command \\ caller"));
        for (String channel : CHANNELS) {
            out.append(" | ").append(channel.equals(OPEN) ? "any channel      " : "#" + channel + " (" + String.join(",", RESTRICTED_ALLOWS) + ")");
        }
        out.append('\n').append(String.format(Locale.ROOT, "%-" + width + "s", ""));
        for (String ignored : CHANNELS) {
            out.append(" | ");
            CALLERS.forEach(c -> out.append(initial(c)).append(' '));
            out.append(" ".repeat(Math.max(0, 17 - CALLERS.size() * 2)));
        }
        out.append('\n');
        byCommand.forEach((command, row) -> {
            out.append(String.format(Locale.ROOT, "%-" + width + "s", command));
            for (String channel : CHANNELS) {
                out.append(" | ");
                for (Caller caller : CALLERS) {
                    Case c = row.stream().filter(x -> x.channel().equals(channel) && x.caller().equals(caller)).findFirst().orElseThrow();
                    boolean got = actual.test(c);
                    out.append(got == c.allowed() ? (got ? "✓" : "·") : (got ? "✗" : "!")).append(' ');
                }
                out.append(" ".repeat(Math.max(0, 17 - CALLERS.size() * 2)));
            }
            out.append('\n');
        });
        out.append("callers: ");
        CALLERS.forEach(c -> out.append(initial(c)).append(" = ").append(c.user()).append(" (").append(c.holds()).append(")  "));
        out.append("\n✓ allowed, · denied, as configured; ✗ allowed against the configuration, ! denied against it\n");
        return out.toString();
    }

    private static String initial(Caller caller) {
        return switch (caller.holds()) {
            case "admin" -> "A";
            case "operator" -> "O";
            case "operator via group SONCALL" -> "G";
            case "viewer" -> "V";
            default -> "-";
        };
    }
}
