package io.opsbot.bot.access;

import io.opsbot.bot.Request;

/**
 * Where the access layer records what never reaches the pipeline (a denial) or happens around it (who
 * confirmed, declined, or let a confirmation expire), so the journal has every command.
 */
@FunctionalInterface
public interface AuditTrail {

    /** @param outcome e.g. "denied: scale needs the operator role", "confirmed-by=U123" */
    void record(Request request, String outcome);

    AuditTrail NONE = (request, outcome) -> { };
}
