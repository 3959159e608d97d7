package io.opsbot.bot.command;

import java.util.Objects;

/**
 * A positional argument of a command.
 *
 * @param slot        what it accepts
 * @param optional    whether it may be left out
 * @param description what it is for, in help
 */
public record Param(Slot slot, boolean optional, String description) {

    public Param {
        Objects.requireNonNull(slot, "slot");
        Objects.requireNonNull(description, "description");
    }

    /** As usage lines show it: {@code APP} or {@code [APP]}. */
    public String usage() {
        return optional ? "[" + slot.placeholder() + "]" : slot.placeholder();
    }
}
