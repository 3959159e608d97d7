package io.opsbot.bot.report;

import io.opsbot.engine.OpsException;
import java.security.SecureRandom;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import org.quartz.CronExpression;
import org.quartz.CronScheduleBuilder;
import org.quartz.CronTrigger;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.TriggerKey;
import org.quartz.impl.SchedulerRepository;
import org.quartz.impl.StdSchedulerFactory;
import org.quartz.impl.matchers.GroupMatcher;
import org.quartz.utils.DBConnectionManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Report schedules in Quartz, with its JDBC job store in the journal's database, clustered: every opsbot that shares
 * the database runs a scheduler, and Quartz's row locks let exactly one of them fire each trigger. A fire missed
 * while no opsbot ran is fired once when one starts (misfire: fire once now), never once per missed time.
 *
 * <p>Created in standby: schedules can be added and listed (opsbot exec); {@link #start} begins firing (the bots that
 * keep running).
 */
public final class ReportScheduler implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ReportScheduler.class);

    /** Quartz's SCHED_NAME: the same in every replica, which is what makes them one cluster. */
    static final String SCHEDULER_NAME = "opsbot-reports";
    static final String GROUP = "reports";
    static final String CONFIG_PREFIX = "config-";
    /** How far the next fire times are searched; a cron that fires less than this often is fine, it is shown less. */
    private static final int NEXT_SHOWN = 3;

    static final String CRON = "cron";
    static final String CHANNEL = "channel";
    static final String ZONE = "zone";
    static final String CREATED_BY = "createdBy";
    static final String LAST_DUE = "lastDue";
    static final String LAST_SENT = "lastSent";

    /**
     * @param jdbcUrl           the journal's database (Flyway created Quartz's tables there, V6)
     * @param instanceId        this replica's name among the cluster's schedulers
     * @param checkinInterval   how often a scheduler says it is alive; a replica silent for longer is taken over
     * @param misfireThreshold  a fire later than this counts as missed and follows the misfire rule (fire once now)
     */
    public record Settings(String jdbcUrl, String user, String password, String instanceId, Duration checkinInterval,
                           Duration misfireThreshold) {

        public static Settings of(String jdbcUrl, String user, String password) {
            return new Settings(jdbcUrl, user, password, "opsbot-" + UUID.randomUUID().toString().substring(0, 8),
                    Duration.ofSeconds(7), Duration.ofSeconds(60));
        }

        boolean postgres() {
            return jdbcUrl.startsWith("jdbc:postgresql:");
        }
    }

    private final Scheduler scheduler;
    private final String dataSource;
    private final SecureRandom ids = new SecureRandom();

    public ReportScheduler(Settings settings, ReportJob.Runner runner) {
        this.dataSource = "journal-" + UUID.randomUUID();
        DBConnectionManager.getInstance().addConnectionProvider(dataSource,
                new JdbcConnections(settings.jdbcUrl(), settings.user(), settings.password()));
        Properties p = new Properties();
        p.setProperty("org.quartz.scheduler.instanceName", SCHEDULER_NAME);
        p.setProperty("org.quartz.scheduler.instanceId", settings.instanceId());
        p.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
        p.setProperty("org.quartz.threadPool.threadCount", "2");
        p.setProperty("org.quartz.threadPool.threadNamePrefix", "opsbot-report");
        p.setProperty("org.quartz.jobStore.class", "org.quartz.impl.jdbcjobstore.JobStoreTX");
        p.setProperty("org.quartz.jobStore.driverDelegateClass", settings.postgres()
                ? "org.quartz.impl.jdbcjobstore.PostgreSQLDelegate" : "org.quartz.impl.jdbcjobstore.StdJDBCDelegate");
        p.setProperty("org.quartz.jobStore.dataSource", dataSource);
        p.setProperty("org.quartz.jobStore.tablePrefix", "QRTZ_");
        p.setProperty("org.quartz.jobStore.useProperties", "true");
        p.setProperty("org.quartz.jobStore.isClustered", "true");
        p.setProperty("org.quartz.jobStore.acquireTriggersWithinLock", "true");
        p.setProperty("org.quartz.jobStore.clusterCheckinInterval", Long.toString(settings.checkinInterval().toMillis()));
        p.setProperty("org.quartz.jobStore.misfireThreshold", Long.toString(settings.misfireThreshold().toMillis()));
        try {
            StdSchedulerFactory factory = new StdSchedulerFactory(p);
            Scheduler created;
            synchronized (ReportScheduler.class) {
                created = factory.getScheduler();
                // Quartz keeps a JVM-wide registry by scheduler name, and every replica must share the name; a second
                // opsbot in this JVM (tests) must get its own scheduler, not this one.
                SchedulerRepository.getInstance().remove(SCHEDULER_NAME);
            }
            this.scheduler = created;
            scheduler.setJobFactory((bundle, s) -> new ReportJob(runner));
        } catch (SchedulerException e) {
            DBConnectionManager.getInstance().addConnectionProvider(dataSource, null);
            throw new OpsException("could not start the report scheduler: " + e.getMessage(), e);
        }
        log.info("event=report-scheduler instance={} clustered=true postgres={}", settings.instanceId(), settings.postgres());
    }

    /** Begins firing schedules (and fires what was missed while every opsbot was down, once). */
    public void start() {
        try {
            scheduler.start();
        } catch (SchedulerException e) {
            throw new OpsException("could not start the report scheduler: " + e.getMessage(), e);
        }
    }

    /** Checks a cron expression and a zone as a user typed them; the message says what is wrong. */
    public static CronExpression parse(String cron, ZoneId zone) {
        try {
            CronExpression expression = new CronExpression(cron);
            expression.setTimeZone(java.util.TimeZone.getTimeZone(zone));
            if (expression.getNextValidTimeAfter(new Date()) == null) {
                throw new OpsException("'" + cron + "' never fires again; give one that does, e.g. \"0 0 9 * * ?\" (09:00 every day)");
            }
            return expression;
        } catch (ParseException e) {
            throw new OpsException("'" + cron + "' is not a Quartz cron expression (" + e.getMessage()
                    + "); it has six or seven fields, seconds first: \"0 0 9 * * ?\" is 09:00 every day, "
                    + "\"0 0 9 ? * MON-FRI\" weekdays at 09:00, \"0/30 * * * * ?\" every 30 seconds");
        }
    }

    /** Adds a schedule; the answer has its id and next fire times. */
    public Schedule add(String cron, String channel, ZoneId zone, String createdBy) {
        return put("r-" + HexFormat.of().formatHex(ids.generateSeed(3)), cron, channel, zone, createdBy);
    }

    /**
     * The configuration's schedules, kept in step at start: each under an id derived from what it says, so that
     * replicas agree; ones the configuration no longer has are removed.
     */
    public void configure(List<ReportsConfigSchedule> configured) {
        Set<String> wanted = new java.util.HashSet<>();
        for (ReportsConfigSchedule s : configured) {
            ZoneId zone = s.zone();
            String id = CONFIG_PREFIX + HexFormat.of().formatHex(sha(s.cron() + "|" + s.channel() + "|" + zone)).substring(0, 8);
            wanted.add(id);
            try {
                if (!scheduler.checkExists(new JobKey(id, GROUP))) {
                    put(id, s.cron(), s.channel(), zone, "configuration");
                }
            } catch (SchedulerException e) {
                throw new OpsException("could not read the report schedules: " + e.getMessage(), e);
            }
        }
        for (Schedule s : list()) {
            if (s.fromConfiguration() && !wanted.contains(s.id())) {
                remove(s.id());
            }
        }
    }

    /** A schedule of the configuration ({@code reports:} in opsbot.yaml). */
    public record ReportsConfigSchedule(String cron, String channel, ZoneId zone) {}

    private static byte[] sha(String text) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private Schedule put(String id, String cron, String channel, ZoneId zone, String createdBy) {
        parse(cron, zone);
        JobDetail job = JobBuilder.newJob(ReportJob.class).withIdentity(id, GROUP).storeDurably()
                .withDescription("health report to " + channel)
                .usingJobData(CRON, cron).usingJobData(CHANNEL, channel).usingJobData(ZONE, zone.getId())
                .usingJobData(CREATED_BY, createdBy).build();
        Trigger trigger = TriggerBuilder.newTrigger().withIdentity(id, GROUP).forJob(job)
                .withSchedule(CronScheduleBuilder.cronSchedule(cron).inTimeZone(java.util.TimeZone.getTimeZone(zone))
                        .withMisfireHandlingInstructionFireAndProceed())
                .build();
        try {
            scheduler.scheduleJob(job, Set.of(trigger), true);
        } catch (SchedulerException e) {
            throw new OpsException("could not store the schedule: " + e.getMessage(), e);
        }
        log.info("event=report-scheduled id={} cron=\"{}\" channel={} zone={} by={}", id, cron, channel, zone, createdBy);
        return find(id).orElseThrow();
    }

    public List<Schedule> list() {
        try {
            List<Schedule> out = new ArrayList<>();
            for (JobKey key : scheduler.getJobKeys(GroupMatcher.jobGroupEquals(GROUP))) {
                find(key.getName()).ifPresent(out::add);
            }
            out.sort(java.util.Comparator.comparing(Schedule::id));
            return List.copyOf(out);
        } catch (SchedulerException e) {
            throw new OpsException("could not read the report schedules: " + e.getMessage(), e);
        }
    }

    public java.util.Optional<Schedule> find(String id) {
        try {
            JobDetail job = scheduler.getJobDetail(new JobKey(id, GROUP));
            if (job == null) {
                return java.util.Optional.empty();
            }
            Trigger trigger = scheduler.getTrigger(new TriggerKey(id, GROUP));
            String cron = job.getJobDataMap().getString(CRON);
            ZoneId zone = ZoneId.of(job.getJobDataMap().getString(ZONE));
            List<Instant> next = new ArrayList<>();
            if (trigger instanceof CronTrigger ct && ct.getNextFireTime() != null) {
                Date t = ct.getNextFireTime();
                for (int i = 0; i < NEXT_SHOWN && t != null; i++) {
                    next.add(t.toInstant());
                    t = ct.getFireTimeAfter(t);
                }
            }
            return java.util.Optional.of(new Schedule(id, cron, job.getJobDataMap().getString(CHANNEL), zone,
                    job.getJobDataMap().getString(CREATED_BY), next));
        } catch (SchedulerException e) {
            throw new OpsException("could not read the report schedules: " + e.getMessage(), e);
        }
    }

    /** @return false when there is no such schedule */
    public boolean remove(String id) {
        try {
            boolean removed = scheduler.deleteJob(new JobKey(id.toLowerCase(Locale.ROOT), GROUP));
            if (removed) {
                log.info("event=report-unscheduled id={}", id);
            }
            return removed;
        } catch (SchedulerException e) {
            throw new OpsException("could not remove the schedule: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            scheduler.shutdown(true);
        } catch (SchedulerException e) {
            log.warn("event=report-scheduler-close-failed reason=\"{}\"", e.getMessage());
        }
    }
}
