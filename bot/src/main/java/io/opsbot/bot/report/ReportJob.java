package io.opsbot.bot.report;

import io.opsbot.health.HealthReport;
import java.text.ParseException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Date;
import java.util.TimeZone;
import org.quartz.CronExpression;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobDataMap;
import org.quartz.JobExecutionContext;
import org.quartz.JobExecutionException;
import org.quartz.PersistJobDataAfterExecution;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One fire of a report schedule. It works out when the report was due: on time, Quartz fires at the cron time; after
 * a misfire (every opsbot was down) Quartz fires once, now, and the report says which time it stands for and how many
 * earlier ones were missed. The last due time and the last send are kept in the job's data (the journal's database),
 * so "since the last report" survives restarts and replicas.
 */
@DisallowConcurrentExecution
@PersistJobDataAfterExecution
public final class ReportJob implements Job {

    private static final Logger log = LoggerFactory.getLogger(ReportJob.class);
    /** Missed fire times counted at most; a schedule every second down for a day stops counting here. */
    private static final int MAX_COUNTED = 100_000;

    /** What a fire does: build the report for the window and deliver it. */
    @FunctionalInterface
    public interface Runner {
        void fire(Schedule schedule, HealthReport.Timing timing, Instant since);
    }

    private final Runner runner;

    ReportJob(Runner runner) {
        this.runner = runner;
    }

    @Override
    public void execute(JobExecutionContext context) throws JobExecutionException {
        JobDataMap data = context.getJobDetail().getJobDataMap();
        String id = context.getJobDetail().getKey().getName();
        String cron = data.getString(ReportScheduler.CRON);
        ZoneId zone = ZoneId.of(data.getString(ReportScheduler.ZONE));
        Instant fired = context.getFireTime().toInstant();
        Instant scheduled = context.getScheduledFireTime().toInstant();
        Instant lastDue = data.containsKey(ReportScheduler.LAST_DUE)
                ? Instant.ofEpochMilli(Long.parseLong(data.getString(ReportScheduler.LAST_DUE)))
                : context.getTrigger().getStartTime().toInstant().minusMillis(1);
        Due due = due(cron, zone, lastDue, scheduled);
        HealthReport.Timing timing = new HealthReport.Timing(id, due.at(), fired, due.late(), due.missedBefore());
        Instant since = data.containsKey(ReportScheduler.LAST_SENT)
                ? Instant.ofEpochMilli(Long.parseLong(data.getString(ReportScheduler.LAST_SENT)))
                : context.getTrigger().getStartTime().toInstant();
        Schedule schedule = new Schedule(id, cron, data.getString(ReportScheduler.CHANNEL), zone,
                data.getString(ReportScheduler.CREATED_BY), java.util.List.of());
        log.info("event=report-fire id={} due={} fired={} late={} missed={} instance={}", id, due.at(), fired, due.late(),
                due.missedBefore(), instance(context));
        try {
            runner.fire(schedule, timing, since);
        } catch (RuntimeException e) {
            log.warn("event=report-failed id={} reason=\"{}\"", id, e.getMessage(), e);
        }
        data.put(ReportScheduler.LAST_DUE, Long.toString(due.at().toEpochMilli()));
        data.put(ReportScheduler.LAST_SENT, Long.toString(fired.toEpochMilli()));
    }

    private static String instance(JobExecutionContext context) {
        try {
            return context.getScheduler().getSchedulerInstanceId();
        } catch (org.quartz.SchedulerException e) {
            return "?";
        }
    }

    /**
     * @param at           the cron time this fire stands for
     * @param late         Quartz fired it after a misfire, not at its time
     * @param missedBefore earlier cron times missed along with it (not sent)
     */
    record Due(Instant at, boolean late, int missedBefore) {}

    /** The latest cron time after {@code lastDue} and not after {@code scheduled}; late when that is not {@code scheduled}. */
    static Due due(String cron, ZoneId zone, Instant lastDue, Instant scheduled) {
        CronExpression expression;
        try {
            expression = new CronExpression(cron);
        } catch (ParseException e) {
            return new Due(scheduled, false, 0);
        }
        expression.setTimeZone(TimeZone.getTimeZone(zone));
        Date t = expression.getNextValidTimeAfter(Date.from(lastDue));
        Instant latest = null;
        int count = 0;
        while (t != null && !t.toInstant().isAfter(scheduled) && count < MAX_COUNTED) {
            latest = t.toInstant();
            count++;
            t = expression.getNextValidTimeAfter(t);
        }
        if (latest == null || latest.equals(scheduled)) {
            return new Due(scheduled, false, Math.max(0, count - 1));
        }
        return new Due(latest, true, count - 1);
    }
}
