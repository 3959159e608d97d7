package io.opsbot.bot.command;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the generic matcher read from one command line: each argument's value (empty when left out) and each
 * flag's value (a default when left out and the flag has one; TRUE for a switch that was given).
 */
record Match(VerbSpec spec, List<Optional<Object>> args, Map<String, Object> flags) {

    Match {
        args = List.copyOf(args);
        flags = Map.copyOf(flags);
    }

    String text(int index) {
        return optionalText(index).orElseThrow(() -> new IllegalStateException(spec.name() + " arg " + index));
    }

    Optional<String> optionalText(int index) {
        return args.get(index).map(String.class::cast);
    }

    int number(int index) {
        return (Integer) args.get(index).orElseThrow();
    }

    <T> T value(int index, Class<T> type) {
        return type.cast(args.get(index).orElseThrow());
    }

    boolean toggle(String flag) {
        return Boolean.TRUE.equals(flags.get(flag));
    }

    Optional<String> flagText(String flag) {
        return Optional.ofNullable((String) flags.get(flag));
    }

    Duration flagDuration(String flag) {
        return (Duration) flags.get(flag);
    }

    int flagNumber(String flag) {
        return (Integer) flags.get(flag);
    }
}
