package io.opsbot.bot.command;

/** The least role a command needs; each role may do everything the roles before it may. */
public enum Role {
    /** Reads state: status, logs, history, drift, journal queries, help. */
    VIEWER,
    /** Changes apps: deploy, scale, restart, rollback, cancel (their own operations). */
    OPERATOR,
    /** Moves data between nodes, and may cancel anyone's operation. */
    ADMIN;

    /** Whether someone holding this role may run a command that needs {@code needed}. */
    public boolean includes(Role needed) {
        return compareTo(needed) >= 0;
    }

    /** Lower case, as help and error messages print it. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
