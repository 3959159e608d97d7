package io.opsbot.bot.report;

import io.opsbot.engine.OpsException;
import io.opsbot.engine.ops.HealthReporter;
import io.opsbot.health.HealthReport;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Health reports on demand and on schedule: builds the report, and hands it to the sink of the chat that runs
 * (console or Slack). Schedules live in Quartz ({@link ReportScheduler}); they fire only once a sink is connected.
 * Quartz is started on first need (a chat connects, a schedule is added, listed or removed), so a one-shot
 * {@code opsbot exec} that asks nothing of schedules never loads it; the configuration's schedules are put in step
 * with Quartz's store at that moment, before anything else reads or changes it.
 */
public final class ReportService implements ReportJob.Runner, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ReportService.class);
    /** What {@code report now} looks back over: a schedule looks back to its last report instead. */
    public static final Duration NOW_WINDOW = Duration.ofHours(24);

    private final HealthReporter reporter;
    private final ReportScheduler.Settings settings;
    private ReportScheduler scheduler;
    private List<ReportScheduler.ReportsConfigSchedule> configured = List.of();
    private final ZoneId zone;
    private final Clock clock;
    private volatile ReportSink sink;

    /** The scheduler stays in standby (schedules can be added and listed) until a chat {@link #connect}s. */
    public ReportService(HealthReporter reporter, ReportScheduler.Settings settings, ZoneId zone, Clock clock) {
        this.reporter = reporter;
        this.settings = settings;
        this.zone = zone;
        this.clock = clock;
    }

    /** Reports go to {@code target} from now on, and schedules begin to fire. */
    public void connect(ReportSink target) {
        attach(target);
        startSchedules();
    }

    /** Reports asked for go to {@code target} from now on; schedules fire once {@link #startSchedules()} ran. */
    public void attach(ReportSink target) {
        this.sink = target;
    }

    /**
     * Starts Quartz (out of standby): schedules fire from now on, and one whose time passed while no replica ran is
     * fired once, late, as its misfire policy says.
     */
    public void startSchedules() {
        scheduler().start();
    }

    public ZoneId zone() {
        return zone;
    }

    /** The report of the last {@link #NOW_WINDOW}, built now. */
    public HealthReport now() {
        return reporter.build("Health report", clock.instant().minus(NOW_WINDOW), zone);
    }

    /** Builds a report and delivers it to {@code channel} through the connected chat. */
    public HealthReport send(String channel) {
        ReportSink target = requireSink();
        HealthReport report = now();
        if (!target.deliverAsked(channel, report)) {
            throw new OpsException("could not post the health report to " + channel
                    + " (is opsbot a member of that channel? invite it with /invite @opsbot)");
        }
        log.info("event=report-sent channel={} verdict=\"{}\" build_ms={}", channel, report.verdict(),
                report.buildTime().toMillis());
        return report;
    }

    /** Whether the connected chat posts reports as messages of their own (Slack), rather than answering with them. */
    public boolean postsToChannels() {
        ReportSink target = sink;
        return target != null && target.postsToChannels();
    }

    @Override
    public void fire(Schedule schedule, HealthReport.Timing timing, Instant since) {
        ReportSink target = sink;
        if (target == null) {
            log.warn("event=report-not-delivered id={} reason=\"no chat connected\"", schedule.id());
            return;
        }
        HealthReport report = reporter.build("Scheduled health report", since, schedule.zone()).withTiming(timing);
        target.deliver(schedule.channel(), report);
        log.info("event=report-sent id={} channel={} verdict=\"{}\" build_ms={}", schedule.id(), schedule.channel(),
                report.verdict(), report.buildTime().toMillis());
    }

    public Schedule schedule(String cron, String channel, ZoneId zoneId, String createdBy) {
        return scheduler().add(cron, channel, zoneId == null ? zone : zoneId, createdBy);
    }

    public List<Schedule> schedules() {
        return scheduler().list();
    }

    public Optional<Schedule> find(String id) {
        return scheduler().find(id);
    }

    public boolean unschedule(String id) {
        return scheduler().remove(id);
    }

    /**
     * The configuration's schedules: each is checked now (a bad cron expression stops the start), and all are put in
     * step with Quartz's store when Quartz starts (at once if it already runs).
     */
    public synchronized void configure(List<ReportScheduler.ReportsConfigSchedule> configured) {
        configured.forEach(s -> ReportScheduler.parse(s.cron(), s.zone()));
        this.configured = List.copyOf(configured);
        if (scheduler != null) {
            scheduler.configure(this.configured);
        }
    }

    /** Quartz, started (in standby) on first need, with the configuration's schedules in step. */
    private synchronized ReportScheduler scheduler() {
        if (scheduler == null) {
            ReportScheduler created = new ReportScheduler(settings, this::fire);
            try {
                created.configure(configured);
            } catch (RuntimeException e) {
                created.close();
                throw e;
            }
            scheduler = created;
        }
        return scheduler;
    }

    private ReportSink requireSink() {
        ReportSink target = sink;
        if (target == null) {
            throw new OpsException("no chat is connected to post reports to (opsbot exec cannot post); run it in the"
                    + " console or Slack, or use 'report now' without a channel");
        }
        return target;
    }

    @Override
    public synchronized void close() {
        if (scheduler != null) {
            scheduler.close();
        }
    }
}
