package io.opsbot.bot.report;

import java.time.Instant;
import java.time.ZoneId;
import java.util.List;

/**
 * A report schedule as Quartz keeps it in the journal's database.
 *
 * @param id        what {@code report unschedule ID} takes, e.g. r-3f9a2c; "config-…" for one from the configuration
 * @param cron      Quartz cron syntax, seconds first: "0 0 9 * * ?" is 09:00 every day
 * @param channel   where the report goes
 * @param createdBy who asked for it, or "configuration"
 * @param next      the next fire times (up to three), empty when it will not fire again
 */
public record Schedule(String id, String cron, String channel, ZoneId zone, String createdBy, List<Instant> next) {

    public Schedule {
        next = List.copyOf(next);
    }

    public boolean fromConfiguration() {
        return id.startsWith(ReportScheduler.CONFIG_PREFIX);
    }
}
