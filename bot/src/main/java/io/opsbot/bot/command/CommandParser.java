package io.opsbot.bot.command;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Turns one line of chat into a {@link Command}, checking every name against the configuration, or explains
 * what is wrong with a {@link CommandException}. The grammar is data ({@link #grammar()}): one matcher reads
 * any command from it, and help is written from it. Instances are immutable and safe to share between threads.
 */
public final class CommandParser {

    /** Longer than any real command; a longer message is a paste, and echoing it back would flood the channel. */
    public static final int MAX_LENGTH = 1000;

    /** A Slack ({@code <@U012ABC>}, {@code <@U012ABC|opsbot>}) or Discord ({@code <@!123>}) mention of the bot. */
    private static final Pattern MENTION = Pattern.compile("<@[!&]?[A-Za-z0-9]+(?:\\|[^>]*)?>[:,]?");
    private static final Pattern OPS_PREFIX = Pattern.compile("/ops(?=\\s|$)", Pattern.CASE_INSENSITIVE);

    private final KnownNames names;
    private final StandardGrammar table;
    private final Map<String, VerbSpec> byFirstWord = new HashMap<>();
    private final Map<String, Map<String, Object>> defaults = new HashMap<>();
    private final SlotReader reader;
    private final HelpWriter helpWriter;

    public CommandParser(KnownNames names) {
        this(names, false);
    }

    /** @param emulated the cluster is emulated: the {@code sim} commands exist (and help lists them) */
    public CommandParser(KnownNames names, boolean emulated) {
        this.names = names;
        this.table = new StandardGrammar(names, emulated);
        Grammar grammar = table.grammar();
        this.reader = new SlotReader(names, () -> grammar);
        this.helpWriter = new HelpWriter(grammar, names);
        for (VerbSpec spec : grammar.verbs()) {
            byFirstWord.put(spec.key(), spec);
            Map<String, Object> values = new LinkedHashMap<>();
            for (Flag flag : spec.flags()) {
                flag.defaultValue().ifPresent(d -> values.put(flag.name(),
                        reader.read(flag.value().orElseThrow(), d, spec, Optional.of(flag))));
            }
            defaults.put(spec.name(), values);
        }
    }

    /**
     * The command in {@code text}: a chat message, optionally starting with {@code /ops} or a mention of the bot.
     *
     * @throws CommandException with a message for the chat when the text is not a valid command
     */
    public Command parse(String text) {
        if (text == null) {
            throw empty();
        }
        if (text.length() > MAX_LENGTH) {
            throw new CommandException("that message is " + text.length() + " characters long; a command is at most "
                    + MAX_LENGTH + " characters");
        }
        String line = withoutInvisibles(text).strip();
        checkCharacters(line);
        List<Tokenizer.Token> tokens = Tokenizer.tokenize(line, afterPrefix(line));
        if (tokens.isEmpty()) {
            throw empty();
        }
        return match(tokens);
    }

    /**
     * {@code word} written so that this parser reads it back as exactly one word, itself: as it is when nothing in
     * it is special, else in double quotes with {@code \} and {@code "} escaped.
     */
    public static String quote(String word) {
        return CommandText.quoted(word);
    }

    /** Every command, one line each with an example. */
    public String help() {
        return helpWriter.list();
    }

    /**
     * One command explained: usage, description, who may run it, arguments, flags and examples.
     *
     * @param verb its name or first word, e.g. "scale", "who" or "who deployed"
     * @throws CommandException when there is no such command
     */
    public String help(String verb) {
        if (verb == null || verb.isBlank()) {
            return help();
        }
        return helpWriter.page(grammar().verb(verb).orElseThrow(() -> reader.unknownCommand(verb)));
    }

    /** The grammar that parsing and help both come from. */
    public Grammar grammar() {
        return table.grammar();
    }

    /** The configured names commands are checked against. */
    public KnownNames names() {
        return names;
    }

    private Command match(List<Tokenizer.Token> tokens) {
        Tokenizer.Token first = tokens.get(0);
        if (first.flagLike() && tokens.size() == 1 && isHelpFlag(flagName(first.text()))) {
            return new Command.Help(Optional.empty());
        }
        VerbSpec spec = first.flagLike() ? null : byFirstWord.get(first.text().toLowerCase(Locale.ROOT));
        if (spec == null) {
            throw reader.unknownCommand(first.text());
        }
        int i = 1;
        for (String word : spec.words().subList(1, spec.words().size())) {
            if (i >= tokens.size() || !tokens.get(i).text().equalsIgnoreCase(word)) {
                throw new CommandException(spec.key() + " needs '" + word + "' next: " + spec.usage() + ", e.g. "
                        + spec.examples().get(0).text());
            }
            i++;
        }
        List<String> positionals = new ArrayList<>();
        Map<String, Object> flags = new HashMap<>();
        for (; i < tokens.size(); i++) {
            Tokenizer.Token token = tokens.get(i);
            if (!token.flagLike()) {
                positionals.add(token.text());
                continue;
            }
            String body = flagName(token.text());
            int equals = body.indexOf('=');
            String name = (equals < 0 ? body : body.substring(0, equals)).toLowerCase(Locale.ROOT);
            Optional<String> inline = equals < 0 ? Optional.empty() : Optional.of(body.substring(equals + 1));
            if (isHelpFlag(name)) {
                return new Command.Help(Optional.of(spec.name()));
            }
            // the error quotes the flag as it was typed ("-x", not "--x")
            String typed = equals < 0 ? token.text() : token.text().substring(0, token.text().indexOf('='));
            Flag flag = spec.flag(name).orElseThrow(() -> unknownFlag(spec, name, typed));
            if (flags.containsKey(name)) {
                throw new CommandException("--" + name + " is given twice; give it once");
            }
            if (!flag.takesValue()) {
                if (inline.isPresent()) {
                    throw new CommandException("--" + name + " takes no value: write just --" + name);
                }
                flags.put(name, Boolean.TRUE);
                continue;
            }
            String value;
            if (inline.isPresent()) {
                value = inline.get();
            } else if (i + 1 < tokens.size() && !tokens.get(i + 1).flagLike()) {
                value = tokens.get(++i).text();
            } else {
                throw missingValue(spec, flag);
            }
            if (value.isEmpty()) {
                throw missingValue(spec, flag);
            }
            flags.put(name, reader.read(flag.value().orElseThrow(), value, spec, Optional.of(flag)));
        }
        defaults.get(spec.name()).forEach(flags::putIfAbsent);
        return table.build(new Match(spec, arguments(spec, positionals), flags));
    }

    /** Reads the positional words into the spec's arguments, in order. */
    private List<Optional<Object>> arguments(VerbSpec spec, List<String> words) {
        List<Param> params = spec.params();
        List<Optional<Object>> values = new ArrayList<>(params.size());
        int next = 0;
        for (int p = 0; p < params.size(); p++) {
            Param param = params.get(p);
            if (next >= words.size()) {
                if (!param.optional()) {
                    throw missingArguments(spec, p);
                }
                values.add(Optional.empty());
                continue;
            }
            if (param.slot().kind() == Kind.DURATION && param.slot().placeholder().startsWith("for ")
                    && words.get(next).equalsIgnoreCase("for")) {
                // "mute nodeapp for 2h": the word 'for' only introduces the duration
                if (next + 1 >= words.size()) {
                    throw new CommandException(spec.name() + " needs a duration after 'for', e.g. "
                            + spec.examples().get(spec.examples().size() - 1).text());
                }
                next++;
            }
            String raw = words.get(next++);
            if (param.slot().kind() == Kind.COMMAND && p == params.size() - 1) {
                // a command name may be two words ("who deployed"): it takes the rest
                raw = String.join(" ", words.subList(next - 1, words.size()));
                next = words.size();
            }
            values.add(Optional.of(reader.read(param.slot(), raw, spec, Optional.empty())));
        }
        if (next < words.size()) {
            throw tooManyArguments(spec, words.subList(next, words.size()));
        }
        return values;
    }

    private CommandException missingArguments(VerbSpec spec, int firstMissing) {
        List<String> missing = spec.params().subList(firstMissing, spec.params().size()).stream()
                .filter(p -> !p.optional()).map(p -> p.slot().meaning()).toList();
        return new CommandException(spec.name() + (firstMissing == 0 ? " needs " : " also needs ")
                + Phrases.and(missing) + ": " + spec.positionalUsage() + ", e.g. " + spec.examples().get(0).text());
    }

    private CommandException tooManyArguments(VerbSpec spec, List<String> extra) {
        String takes = spec.params().isEmpty() ? "takes no arguments" : "takes " + Phrases.and(spec.params().stream()
                .map(p -> p.optional() ? "an optional " + p.slot().noun() : p.slot().meaning()).toList());
        String shown = "'" + Phrases.shown(String.join(" ", extra)) + "' "
                + (extra.size() == 1 ? "is one argument too many" : "are " + extra.size() + " arguments too many");
        String hint = "";
        boolean readsLogs = spec.params().stream().anyMatch(p -> p.slot().kind() == Kind.LOG_TARGET);
        if (readsLogs && extra.size() == 1 && names.nodes().stream().anyMatch(n -> n.equalsIgnoreCase(extra.get(0)))) {
            hint = " (to read a service on one node, write SERVICE@NODE, e.g. logs docker@" + extra.get(0) + ")";
        }
        // the last example is the fullest, which shows best where each word goes
        return new CommandException(spec.name() + " " + takes + "; " + shown + hint + ": " + spec.usage() + ", e.g. "
                + spec.examples().get(spec.examples().size() - 1).text());
    }

    private static CommandException unknownFlag(VerbSpec spec, String name, String asTyped) {
        String typed = "'" + Phrases.shown(asTyped) + "'";
        if (spec.flags().isEmpty()) {
            return new CommandException(spec.name() + " takes no flags, so " + typed + " is not one: "
                    + spec.usage() + ", e.g. " + spec.examples().get(0).text());
        }
        List<String> known = spec.flags().stream().map(Flag::name).toList();
        String suggestion = Phrases.closest(name, known).map(c -> " (did you mean '--" + c + "'?)").orElse("");
        return new CommandException(spec.name() + " has no flag " + typed + suggestion + "; it takes: "
                + spec.flags().stream().map(Flag::usage).collect(Collectors.joining(", ")));
    }

    private static CommandException missingValue(VerbSpec spec, Flag flag) {
        return new CommandException("--" + flag.name() + " needs " + flag.value().orElseThrow().meaning() + ", e.g. '"
                + spec.exampleFor(flag.name()).text() + "'");
    }

    private static CommandException empty() {
        return new CommandException("empty command: type 'help' to see what I can do");
    }

    private static boolean isHelpFlag(String name) {
        return name.equals("help") || name.equals("h");
    }

    /** The flag's text without its leading dashes (chat clients may have turned them into en or em dashes). */
    private static String flagName(String token) {
        int start = 0;
        while (start < token.length() && Tokenizer.isDash(token.charAt(start))) {
            start++;
        }
        return token.substring(start);
    }

    /** Where the command starts: after a mention of the bot and after {@code /ops}, in that order. */
    private static int afterPrefix(String line) {
        int start = 0;
        Matcher mention = MENTION.matcher(line);
        if (mention.lookingAt()) {
            start = skipSpaces(line, mention.end());
        }
        Matcher ops = OPS_PREFIX.matcher(line).region(start, line.length());
        if (ops.lookingAt()) {
            start = skipSpaces(line, ops.end());
        }
        return start;
    }

    private static int skipSpaces(String line, int from) {
        int i = from;
        while (i < line.length() && Tokenizer.isSpace(line.charAt(i))) {
            i++;
        }
        return i;
    }

    /** Zero-width spaces and byte-order marks that copy and paste leave in text; they would make names differ. */
    private static String withoutInvisibles(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean invisible = c == '\u200B' || c == '\u2060' || c == '\uFEFF';
            if (invisible && out == null) {
                out = new StringBuilder(text.length()).append(text, 0, i);
            } else if (!invisible && out != null) {
                out.append(c);
            }
        }
        return out == null ? text : out.toString();
    }

    /** One command is one line of visible text: a line break or a control character is refused, not guessed at. */
    private static void checkCharacters(String line) {
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\n' || c == '\r' || c == '\u0085' || c == '\u2028' || c == '\u2029') {
                throw new CommandException("one command per message, on one line: there is a line break at character "
                        + (i + 1));
            }
            if (Character.isISOControl(c) && c != '\t') {
                throw new CommandException(String.format(Locale.ROOT, "there is a control character (U+%04X) at"
                        + " character %d; type the command as plain text", (int) c, i + 1));
            }
        }
    }
}
