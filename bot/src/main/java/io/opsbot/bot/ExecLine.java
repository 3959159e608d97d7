package io.opsbot.bot;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * {@code opsbot exec}'s command line read without picocli, for the start-up of a one-shot run: picocli's classes
 * (compiled for an old class-file version) cannot go into the start-up archive, and reading its annotations costs a
 * short process a good part of its start. Only the plain, well-formed forms are read here — {@code exec}, then any of
 * {@code --config FILE}, {@code --config=FILE}, {@code --yes}, {@code --user NAME}, {@code --user=NAME} (each at most
 * once), then the command's words, everything from the first one on. Anything else (help, an unknown or repeated
 * option, a missing value, {@code --}, no command) is left to picocli, so its answers and messages stay as they were;
 * {@code ExecLineTest} holds that every line read here is read the same by picocli.
 */
record ExecLine(Path config, boolean yes, String user, List<String> words) {

    /** The exec command line in {@code args}, or empty when picocli must read it. */
    static Optional<ExecLine> read(String... args) {
        if (args.length < 2 || !"exec".equals(args[0])) {
            return Optional.empty();
        }
        String config = null;
        String user = null;
        boolean yes = false;
        int i = 1;
        for (; i < args.length && args[i].startsWith("-"); i++) {
            String arg = args[i];
            if (arg.equals("--yes")) {
                if (yes) {
                    return Optional.empty();
                }
                yes = true;
                continue;
            }
            String name;
            String value;
            int equals = arg.indexOf('=');
            if (equals > 0) {
                name = arg.substring(0, equals);
                value = arg.substring(equals + 1);
            } else {
                name = arg;
                if (i + 1 >= args.length) {
                    return Optional.empty();
                }
                value = args[++i];
            }
            // a value that looks like an option, or none, is for picocli to judge
            if (value.isEmpty() || value.startsWith("-")) {
                return Optional.empty();
            }
            if (name.equals("--config") && config == null) {
                config = value;
            } else if (name.equals("--user") && user == null) {
                user = value;
            } else {
                return Optional.empty();
            }
        }
        if (i >= args.length) {
            return Optional.empty();
        }
        List<String> words = Arrays.asList(args).subList(i, args.length);
        if (words.contains("--")) {
            return Optional.empty(); // picocli's end-of-options delimiter: it drops it
        }
        try {
            return Optional.of(new ExecLine(config == null ? null : Path.of(config), yes, user, List.copyOf(words)));
        } catch (InvalidPathException badPath) {
            return Optional.empty();
        }
    }

    /** The exec command these arguments make, as picocli would fill it in. */
    Main.Exec command() {
        Main.Exec exec = new Main.Exec();
        exec.config = config;
        exec.yes = yes;
        exec.user = user;
        exec.words = words;
        return exec;
    }
}
