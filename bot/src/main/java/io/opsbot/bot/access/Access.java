package io.opsbot.bot.access;

import io.opsbot.bot.CommandHandler;
import io.opsbot.bot.Request;
import io.opsbot.bot.Response;
import io.opsbot.bot.command.CommandException;
import io.opsbot.bot.command.Grammar;
import io.opsbot.bot.command.Role;
import io.opsbot.bot.command.VerbSpec;
import io.opsbot.config.Durations;
import io.opsbot.config.OpsbotConfig.AccessConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may run what, where: roles from user ids, user groups or "*", per-channel allowlists of commands, who may
 * confirm, and the audit line for every command. {@link #guard} wraps the command pipeline.
 *
 * <p>The verb is the first word of the text (after a leading "/ops" or mention), so this works without the
 * grammar's classes; a verb this table does not know needs the operator role, because it may change something.
 */
public final class Access {

    private static final Logger audit = LoggerFactory.getLogger("io.opsbot.audit");

    /** The role each command needs, as the standard grammar has it; {@link #verbRoles(Grammar)} reads a grammar's. */
    public static final Map<String, Role> DEFAULT_VERBS = defaultVerbs();
    public static final Duration DEFAULT_CONFIRMATION_TIMEOUT = Duration.ofMinutes(5);

    /** Always allowed in every channel: nobody should have to guess what they may type. */
    private static final String HELP = "help";
    private static final String EVERYONE = "*";
    /** Slack user group ids start with S; user ids with U or W. */
    private static final Pattern GROUP_ID = Pattern.compile("S[A-Z0-9]+");
    private static final Pattern LEADING_ADDRESS = Pattern.compile("^\\s*(/ops\\b|<@[A-Z0-9]+(\\|[^>]*)?>|@opsbot\\b)\\s*[:,]?",
            Pattern.CASE_INSENSITIVE);

    private final Map<Role, List<String>> members;
    private final Map<String, List<String>> channels;
    private final Duration confirmationTimeout;
    private final GroupDirectory groups;
    private final Map<String, Role> verbs;
    private final OperationOwners owners;
    private final AuditTrail trail;

    public Access(AccessConfig config, GroupDirectory groups) {
        this(config, groups, DEFAULT_VERBS, OperationOwners.UNKNOWN);
    }

    public Access(AccessConfig config, GroupDirectory groups, Map<String, Role> verbs, OperationOwners owners) {
        this(rolesOf(config), config == null || config.channels() == null ? Map.of() : Map.copyOf(config.channels()),
                config == null ? DEFAULT_CONFIRMATION_TIMEOUT
                        : Durations.parse(config.confirmationTimeout()).orElse(DEFAULT_CONFIRMATION_TIMEOUT),
                groups, verbs, owners, AuditTrail.NONE);
    }

    private Access(Map<Role, List<String>> members, Map<String, List<String>> channels, Duration confirmationTimeout,
                   GroupDirectory groups, Map<String, Role> verbs, OperationOwners owners, AuditTrail trail) {
        this.members = members;
        this.channels = channels;
        this.confirmationTimeout = confirmationTimeout;
        this.groups = groups;
        this.verbs = Collections.unmodifiableMap(new LinkedHashMap<>(verbs));
        this.owners = owners;
        this.trail = trail;
    }

    /** The same rules, also asking {@code more} who started an operation. */
    public Access withOwners(OperationOwners more) {
        return new Access(members, channels, confirmationTimeout, groups, verbs, owners.or(more), trail);
    }

    /** The same rules with the grammar's verb-to-role table. */
    public Access withVerbs(Map<String, Role> table) {
        return new Access(members, channels, confirmationTimeout, groups, table, owners, trail);
    }

    /** The same rules, also recording denials and confirmation events in {@code audit} (the journal). */
    public Access withAudit(AuditTrail audit) {
        return new Access(members, channels, confirmationTimeout, groups, verbs, owners, audit);
    }

    private static Map<Role, List<String>> rolesOf(AccessConfig config) {
        Map<Role, List<String>> out = new EnumMap<>(Role.class);
        for (Role role : Role.values()) {
            out.put(role, List.of());
        }
        if (config != null && config.roles() != null) {
            config.roles().forEach((label, ids) -> out.put(Role.valueOf(label.trim().toUpperCase(Locale.ROOT)), ids == null ? List.of() : List.copyOf(ids)));
        }
        return Collections.unmodifiableMap(out);
    }

    /** The verb-to-role table in force (help shows it). */
    public Map<String, Role> verbRoles() {
        return verbs;
    }

    public Duration confirmationTimeout() {
        return confirmationTimeout;
    }

    /** The highest role the user holds, directly, through a group, or through "*". */
    public Optional<Role> roleOf(String user) {
        for (int i = Role.values().length - 1; i >= 0; i--) {
            Role role = Role.values()[i];
            if (holds(user, members.get(role))) {
                return Optional.of(role);
            }
        }
        return Optional.empty();
    }

    public Role requiredRole(String verb) {
        return verbs.getOrDefault(verb, Role.OPERATOR);
    }

    /** Only the person who asked, or an admin, may confirm (or decline) a destructive operation. */
    public boolean mayConfirm(String user, String requester) {
        return user.equals(requester) || roleOf(user).map(r -> r == Role.ADMIN).orElse(false);
    }

    /** Null when allowed; otherwise the message the user sees. */
    public String denial(Request request) {
        String verb = verbOf(request.text());
        List<String> allowedHere = channels.get(request.channel());
        if (allowedHere != null && !verb.equals(HELP) && !allowedHere.contains(verb)) {
            return "`" + CommandException.shown(verb) + "` is not allowed in this channel; allowed here: "
                    + String.join(", ", allowedHere);
        }
        Role needed = requiredRole(verb);
        Optional<Role> has = roleOf(request.user());
        if (has.isEmpty() || !has.get().includes(needed)) {
            // the verb as typed may be anything (a pasted page, bidi controls): quoted short and visible
            return CommandException.shown(verb) + " needs the " + needed.label() + " role; " + whoHas(needed);
        }
        if (verb.equals("report") && !has.get().includes(Role.ADMIN)
                && argumentOf(request.text()).map(a -> a.equalsIgnoreCase("unschedule")).orElse(false)) {
            return "report unschedule needs the admin role; " + whoHas(Role.ADMIN);
        }
        if (verb.equals("cancel") && !has.get().includes(Role.ADMIN)) {
            Optional<String> owner = argumentOf(request.text()).flatMap(owners::requesterOf);
            if (owner.isPresent() && !owner.get().equals(request.user())) {
                return "cancelling another person's operation needs the admin role (it was started by <@"
                        + owner.get() + ">); " + whoHas(Role.ADMIN);
            }
        }
        return null;
    }

    /** Wraps the pipeline: denied requests never reach it, and every request leaves an audit line. */
    public CommandHandler guard(CommandHandler inner) {
        return (request, progress) -> {
            String denied = denial(request);
            if (denied != null) {
                auditLine(request, "denied");
                trail.record(request, "denied: " + denied);
                return new Response.Rejected(denied);
            }
            Response response;
            try {
                response = inner.handle(request, progress);
            } catch (RuntimeException e) {
                audit(request, "error");
                throw e;
            }
            // the pipeline journals what it answered; here only the log line
            auditLine(request, outcomeOf(response));
            return response;
        };
    }

    /** One line per command (who, where, what, how it ended), and the same in the audit trail. */
    public void audit(Request request, String outcome) {
        auditLine(request, outcome);
        trail.record(request, outcome);
    }

    private void auditLine(Request request, String outcome) {
        audit.info("event=audit user={} channel={} text=\"{}\" outcome={}", request.user(), request.channel(),
                oneLine(request.text()), outcome);
    }

    /** "scale" from "/ops Scale nodeapp 3" or "<@U0BOT> scale nodeapp 3"; "help" for an empty text. */
    public static String verbOf(String text) {
        String words = stripAddress(text);
        if (words.isEmpty()) {
            return HELP;
        }
        return words.split("\\s+", 2)[0].toLowerCase(Locale.ROOT);
    }

    /** The text without a leading "/ops", "@opsbot" or mention: what the grammar parses. */
    public static String stripAddress(String text) {
        if (text == null) {
            return "";
        }
        String rest = text.strip();
        String before;
        do {
            before = rest;
            rest = LEADING_ADDRESS.matcher(rest).replaceFirst("").strip();
        } while (!rest.equals(before));
        return rest;
    }

    /** "everyone" or "operators: <@U1>, <!subteam^S2>; admins: <@U3>" — who to ask. */
    String whoHas(Role needed) {
        List<String> parts = new ArrayList<>();
        for (Role role : Role.values()) {
            if (role.includes(needed) && !members.get(role).isEmpty()) {
                if (members.get(role).contains(EVERYONE)) {
                    parts.add(role.label() + "s: everyone");
                } else {
                    parts.add(role.label() + "s: " + String.join(", ", members.get(role).stream().map(Access::mention).toList()));
                }
            }
        }
        return parts.isEmpty() ? "nobody has it yet: add people under access.roles." + needed.label() + " in opsbot.yaml"
                : String.join("; ", parts);
    }

    private boolean holds(String user, List<String> ids) {
        for (String id : ids) {
            if (id.equals(EVERYONE) || id.equals(user)) {
                return true;
            }
        }
        for (String id : ids) {
            if (GROUP_ID.matcher(id).matches() && groups.members(id).contains(user)) {
                return true;
            }
        }
        return false;
    }

    private static Optional<String> argumentOf(String text) {
        String[] words = stripAddress(text).split("\\s+");
        return words.length < 2 ? Optional.empty() : Optional.of(words[1]);
    }

    private static String mention(String id) {
        return GROUP_ID.matcher(id).matches() ? "<!subteam^" + id + ">" : "<@" + id + ">";
    }

    private static String outcomeOf(Response response) {
        if (response instanceof Response.Finished f) {
            return f.outcome().state().name().toLowerCase(Locale.ROOT) + " op=" + f.outcome().operationId();
        }
        if (response instanceof Response.Answer) {
            return "answered";
        }
        if (response instanceof Response.Planned) {
            return "planned";
        }
        if (response instanceof Response.NeedsConfirmation) {
            return "needs-confirmation";
        }
        return "rejected";
    }

    private static String oneLine(String text) {
        String t = text == null ? "" : text.replace('\n', ' ').replace('\r', ' ').replace("\"", "'");
        return t.length() > 300 ? t.substring(0, 300) + "…" : t;
    }

    /** The grammar's table, keyed by each command's first word ("who" for "who deployed"). */
    public static Map<String, Role> verbRoles(Grammar grammar) {
        Map<String, Role> out = new LinkedHashMap<>();
        for (VerbSpec spec : grammar.verbs()) {
            out.put(spec.key(), spec.role());
        }
        return Collections.unmodifiableMap(out);
    }

    private static Map<String, Role> defaultVerbs() {
        Map<String, Role> v = new LinkedHashMap<>();
        for (String verb : List.of("deploy", "scale", "restart", "rollback")) {
            v.put(verb, Role.OPERATOR);
        }
        v.put("move", Role.ADMIN);
        for (String verb : List.of("logs", "status", "drift", "history", "who", "what", "why")) {
            v.put(verb, Role.VIEWER);
        }
        v.put("report", Role.OPERATOR);
        v.put("cancel", Role.OPERATOR);
        v.put("incidents", Role.VIEWER);
        v.put("mute", Role.OPERATOR);
        v.put("unmute", Role.OPERATOR);
        v.put("mutes", Role.VIEWER);
        v.put("help", Role.VIEWER);
        return Collections.unmodifiableMap(v);
    }
}
