package io.opsbot.bot.command;

import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the text of one argument or flag value as its {@link Kind} says, checking names against the
 * configuration, and explains in chat terms what is wrong when it cannot.
 */
final class SlotReader {

    /** An app or service to read logs of, and for a service optionally the one node. */
    record LogTarget(String name, Optional<String> node) {}

    /** Docker tags ([\w][\w.-]{0,127}) and Marathon version timestamps (which add ':' and '+'). */
    private static final Pattern VERSION = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.:+-]{0,127}");
    /** What the engine's ids look like: "op-" and hex digits; a UUID's dashes are allowed too. */
    private static final Pattern OPERATION_ID = Pattern.compile("op-[0-9a-f][0-9a-f-]{3,39}");
    private static final Pattern WHOLE_NUMBER = Pattern.compile("[+-]?[0-9]+");
    private static final Pattern DURATION = Pattern.compile("([0-9]{1,9})([smhd])");
    /** Enough digits for any range a slot has; longer numbers are out of range without parsing them. */
    private static final int MAX_NUMBER_DIGITS = 9;

    private final KnownNames known;
    private final Map<String, String> apps;
    private final Map<String, String> nodes;
    private final Map<String, String> services;
    private final Supplier<Grammar> grammar;

    SlotReader(KnownNames known, Supplier<Grammar> grammar) {
        this.known = known;
        this.apps = byLowerCase(known.apps());
        this.nodes = byLowerCase(known.nodes());
        this.services = byLowerCase(known.services());
        this.grammar = grammar;
    }

    /**
     * The value of {@code raw} for {@code slot}: a String (names, versions, ids, text, command names), an
     * Integer, a Duration or a {@link LogTarget}.
     *
     * @param flag the flag the value belongs to; empty for a positional argument
     */
    Object read(Slot slot, String raw, VerbSpec spec, Optional<Flag> flag) {
        String prefix = flag.map(f -> "--" + f.name() + ": ").orElse("");
        switch (slot.kind()) {
            case APP:
                return name(raw, apps, "app", known.apps());
            case NODE:
                return name(raw, nodes, "node", known.nodes());
            case APP_OR_NODE:
                return appOrNode(raw);
            case LOG_TARGET:
                return logTarget(raw);
            case NUMBER:
                return number(slot, raw, prefix, () -> example(spec, flag));
            case VERSION:
                if (!VERSION.matcher(raw).matches()) {
                    throw new CommandException(prefix + "'" + Phrases.shown(raw) + "' is not a version: give an image"
                            + " tag like 1.4.2 or a Marathon version like 2016-03-01T12:00:00.000Z, e.g. '"
                            + example(spec, flag) + "'");
                }
                return raw;
            case OPERATION_ID:
                String id = raw.toLowerCase(Locale.ROOT);
                if (!OPERATION_ID.matcher(id).matches()) {
                    throw new CommandException("'" + Phrases.shown(raw) + "' is not an operation id: ids look like"
                            + " op-7f3a2c (progress messages and 'history' show them), e.g. '" + example(spec, flag) + "'");
                }
                return id;
            case COMMAND:
                return grammar.get().verb(raw).orElseThrow(() -> unknownCommand(raw)).name();
            case DURATION:
                return duration(slot, raw, prefix);
            case TEXT:
                if (raw.length() > slot.max()) {
                    throw new CommandException(prefix + "the text is " + raw.length() + " characters long; at most "
                            + slot.max() + " are allowed");
                }
                return raw;
            default:
                throw new IllegalStateException("no reader for " + slot.kind());
        }
    }

    /** The message for a first word that is no command, suggesting the closest one. */
    CommandException unknownCommand(String word) {
        Grammar g = grammar.get();
        List<String> keys = g.verbs().stream().map(VerbSpec::key).toList();
        String stripped = word.strip();
        int space = 0;
        while (space < stripped.length() && !Tokenizer.isSpace(stripped.charAt(space))) {
            space++;
        }
        String first = stripped.substring(0, space);
        Optional<String> close = Phrases.closest(first, keys);
        if (close.isPresent()) {
            String name = g.verb(close.get()).map(VerbSpec::name).orElse(close.get());
            return new CommandException("unknown command '" + Phrases.shown(word) + "'. Did you mean '" + name
                    + "'? Type 'help' for the list.");
        }
        return new CommandException("unknown command '" + Phrases.shown(word) + "'. Commands: " + g.names()
                + ". Type 'help COMMAND' for details.");
    }

    private static String example(VerbSpec spec, Optional<Flag> flag) {
        return flag.map(f -> spec.exampleFor(f.name())).orElse(spec.examples().get(0)).text();
    }

    private static String name(String raw, Map<String, String> names, String what, Collection<String> all) {
        // Marathon shows app ids with a leading slash; "/nodeapp" means nodeapp.
        String key = raw.toLowerCase(Locale.ROOT);
        String found = names.get(key.startsWith("/") ? key.substring(1) : key);
        if (found != null) {
            return found;
        }
        throw new CommandException("no " + what + " named '" + Phrases.shown(raw) + "'" + didYouMean(raw, all)
                + "; " + known(what, all));
    }

    private String appOrNode(String raw) {
        String key = raw.toLowerCase(Locale.ROOT);
        String found = apps.getOrDefault(key.startsWith("/") ? key.substring(1) : key, nodes.get(key));
        if (found != null) {
            return found;
        }
        throw new CommandException("no app or node named '" + Phrases.shown(raw) + "'"
                + didYouMean(raw, both(known.apps(), known.nodes())) + "; " + known("app", known.apps()) + "; "
                + known("node", known.nodes()));
    }

    private LogTarget logTarget(String raw) {
        int at = raw.lastIndexOf('@');
        if (at < 0) {
            String key = raw.toLowerCase(Locale.ROOT);
            String found = apps.getOrDefault(key.startsWith("/") ? key.substring(1) : key, services.get(key));
            if (found != null) {
                return new LogTarget(found, Optional.empty());
            }
            throw new CommandException("no app or service named '" + Phrases.shown(raw) + "'"
                    + didYouMean(raw, both(known.apps(), known.services())) + "; " + known("app", known.apps())
                    + "; " + known("service", known.services()));
        }
        String service = raw.substring(0, at);
        String node = raw.substring(at + 1);
        if (service.isEmpty() || node.isEmpty()) {
            throw new CommandException("'" + Phrases.shown(raw) + "' needs a service before the @ and a node after"
                    + " it, e.g. 'logs docker@node2'");
        }
        String app = apps.get(service.toLowerCase(Locale.ROOT));
        if (app != null && !services.containsKey(service.toLowerCase(Locale.ROOT))) {
            throw new CommandException("an app's logs come from the central log host, so '" + Phrases.shown(raw)
                    + "' cannot name a node: use 'logs " + app + "'; @NODE is for services, e.g. 'logs docker@node2'");
        }
        String foundService = name(service, services, "service", known.services());
        return new LogTarget(foundService, Optional.of(name(node, nodes, "node", known.nodes())));
    }

    private static int number(Slot slot, String raw, String prefix, Supplier<String> example) {
        if (!WHOLE_NUMBER.matcher(raw).matches()) {
            throw new CommandException(prefix + "'" + Phrases.shown(raw) + "' is not " + slot.meaning() + ": give "
                    + range(slot, example));
        }
        boolean negative = raw.charAt(0) == '-';
        int first = raw.charAt(0) == '-' || raw.charAt(0) == '+' ? 1 : 0;
        while (first < raw.length() - 1 && raw.charAt(first) == '0') {
            first++;
        }
        String digits = raw.substring(first);
        long magnitude = digits.length() > MAX_NUMBER_DIGITS ? Long.MAX_VALUE : Long.parseLong(digits);
        long value = negative ? -magnitude : magnitude;
        if (value < slot.min() || value > slot.max()) {
            throw new CommandException(prefix + "'" + Phrases.shown(raw) + "' is out of range: the " + slot.noun()
                    + " must be " + range(slot, example));
        }
        return (int) value;
    }

    private static String range(Slot slot, Supplier<String> example) {
        return "a whole number from " + slot.min() + " to " + slot.max() + ", e.g. '" + example.get() + "'";
    }

    private static Duration duration(Slot slot, String raw, String prefix) {
        String text = raw.toLowerCase(Locale.ROOT);
        String longest = CommandText.duration(Duration.ofSeconds(slot.max()));
        Matcher part = DURATION.matcher(text);
        long seconds = 0;
        int end = 0;
        while (part.lookingAt()) {
            long amount = Long.parseLong(part.group(1));
            seconds += amount * unitSeconds(part.group(2).charAt(0));
            end = part.end();
            part.region(end, text.length());
        }
        if (end == 0 || end != text.length()) {
            throw new CommandException(prefix + "'" + Phrases.shown(raw) + "' is not " + slot.meaning()
                    + ": give a number and a unit (s, m, h or d), e.g. 30s, 15m, 2h, 1d; at most " + longest);
        }
        if (seconds > slot.max()) {
            throw new CommandException(prefix + "'" + Phrases.shown(raw) + "' is more than " + longest
                    + ": give at most " + longest + ", e.g. 2h or 1d");
        }
        if (seconds < slot.min()) {
            throw new CommandException(prefix + "'" + Phrases.shown(raw) + "' is too short: give at least "
                    + CommandText.duration(Duration.ofSeconds(slot.min())) + ", e.g. 30s or 15m");
        }
        return Duration.ofSeconds(seconds);
    }

    private static long unitSeconds(char unit) {
        switch (unit) {
            case 's':
                return 1;
            case 'm':
                return 60;
            case 'h':
                return 3_600;
            default:
                return 86_400;
        }
    }

    private static String didYouMean(String raw, Collection<String> candidates) {
        return Phrases.closest(raw, candidates).map(c -> " (did you mean '" + c + "'?)").orElse("");
    }

    private static String known(String what, Collection<String> names) {
        return names.isEmpty() ? "no " + what + "s are configured" : "known " + what + "s: " + Phrases.list(names);
    }

    private static List<String> both(Collection<String> first, Collection<String> second) {
        return java.util.stream.Stream.concat(first.stream(), second.stream()).toList();
    }

    private static Map<String, String> byLowerCase(Collection<String> names) {
        Map<String, String> map = new LinkedHashMap<>();
        for (String name : names) {
            map.putIfAbsent(name.toLowerCase(Locale.ROOT), name);
        }
        return Map.copyOf(map);
    }
}
