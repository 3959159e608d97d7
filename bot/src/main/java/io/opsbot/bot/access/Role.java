package io.opsbot.bot.access;

import java.util.Locale;

/** What a person may do; each role includes the ones before it. */
public enum Role {
    /** read-only: status, logs, history, help, drift, who, what */
    VIEWER,
    /** changes apps: deploy, scale, restart, rollback, cancel their own operations */
    OPERATOR,
    /** everything: move data, cancel other people's operations */
    ADMIN;

    public boolean includes(Role other) {
        return ordinal() >= other.ordinal();
    }

    /** "operator", as the configuration and the chat name it. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Role fromLabel(String label) {
        return valueOf(label.trim().toUpperCase(Locale.ROOT));
    }
}
