package io.opsbot.bot.command;

import java.util.Objects;
import java.util.Optional;

/**
 * A {@code --name} option of a command: a switch when it takes no value, else {@code --name VALUE} or
 * {@code --name=VALUE}.
 *
 * @param name         without the dashes, lower case
 * @param value        what its value accepts; empty for a switch
 * @param defaultValue the value used when it is left out, as a user would type it
 * @param description  what it does, in help
 */
public record Flag(String name, Optional<Slot> value, Optional<String> defaultValue, String description) {

    public Flag {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(defaultValue, "defaultValue");
        Objects.requireNonNull(description, "description");
        if (value.isEmpty() && defaultValue.isPresent()) {
            throw new IllegalArgumentException("the switch --" + name + " cannot have a default value");
        }
    }

    public static Flag toggle(String name, String description) {
        return new Flag(name, Optional.empty(), Optional.empty(), description);
    }

    public static Flag valued(String name, Slot value, String description) {
        return new Flag(name, Optional.of(value), Optional.empty(), description);
    }

    public static Flag valued(String name, Slot value, String defaultValue, String description) {
        return new Flag(name, Optional.of(value), Optional.of(defaultValue), description);
    }

    public boolean takesValue() {
        return value.isPresent();
    }

    /** {@code --since DURATION} or {@code --plan}. */
    public String usage() {
        return "--" + name + value.map(v -> " " + v.placeholder()).orElse("");
    }
}
