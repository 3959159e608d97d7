package io.opsbot.bot.slack;

import com.slack.api.Slack;
import com.slack.api.app_backend.slash_commands.payload.SlashCommandPayload;
import com.slack.api.bolt.App;
import com.slack.api.bolt.AppConfig;
import com.slack.api.bolt.socket_mode.SocketModeApp;
import com.slack.api.model.event.AppMentionEvent;
import com.slack.api.model.event.MessageBotEvent;
import com.slack.api.model.event.MessageChangedEvent;
import com.slack.api.model.event.MessageDeletedEvent;
import com.slack.api.model.event.MessageEvent;
import com.slack.api.model.event.MessageFileShareEvent;
import com.slack.api.model.event.MessageMeEvent;
import com.slack.api.model.event.MessageRepliedEvent;
import com.slack.api.model.event.MessageThreadBroadcastEvent;
import io.opsbot.bot.CommandHandler;
import io.opsbot.bot.Request;
import io.opsbot.bot.access.Access;
import io.opsbot.bot.access.AuditTrail;
import io.opsbot.bot.access.CachedGroupDirectory;
import io.opsbot.bot.access.OperationOwners;
import io.opsbot.bot.command.Role;
import io.opsbot.alerts.AlertService;
import io.opsbot.alerts.AlertSink;
import io.opsbot.bot.render.AlertBlocks;
import io.opsbot.bot.render.BlockKit;
import io.opsbot.config.OpsbotConfig.AccessConfig;
import io.opsbot.config.OpsbotConfig.SlackConfig;
import io.opsbot.engine.Deliveries;
import io.opsbot.engine.OpsException;
import io.opsbot.engine.RetryPolicy;
import io.opsbot.engine.Sleeper;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Slack adapter: {@code /ops <command>}, {@code @opsbot <command>} in channels and direct messages, over
 * Socket Mode (default) or HTTP. Every request is acknowledged at once; the command runs on a bounded worker
 * pool, guarded by {@link Access}, and its progress edits one message in place.
 */
public final class SlackBot implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SlackBot.class);

    public static final String COMMAND = "/ops";
    /**
     * How long a delivery's id (event_id, trigger_id) is remembered: Slack retries a delivery three times within
     * about five minutes (at once, after 1 minute, after 5 minutes), so 10 minutes covers every retry.
     */
    public static final Duration RETRY_WINDOW = Duration.ofMinutes(10);
    public static final int DEFAULT_HTTP_PORT = 3000;
    /**
     * Connection attempts while Slack cannot be reached: 1 s doubling to 5 min, a pause short enough to come back
     * soon after an outage and long enough not to hammer Slack or fill the log (one line per attempt).
     */
    /** At most one `slack_busy` line per pool in this time, with the number of commands refused since the last one. */
    static final Duration BUSY_LOG_EVERY = Duration.ofSeconds(10);
    public static final RetryPolicy RECONNECT = new RetryPolicy(Integer.MAX_VALUE, Duration.ofSeconds(1), Duration.ofMinutes(5));

    private enum State { STARTED, CLOSED }

    private final AtomicReference<State> state = new AtomicReference<>(State.STARTED);
    private final java.util.concurrent.CountDownLatch closed = new java.util.concurrent.CountDownLatch(1);
    /** Commands that may change the cluster: they can wait minutes for an app's lock or a deployment. */
    private final ThreadPoolExecutor workers;
    /**
     * Queries (commands every viewer may run), cancels and declines: quick, and never queued behind operations that
     * wait for each other, so `status` answers and Cancel works while every worker above is taken.
     */
    private final ThreadPoolExecutor readers;
    /** The busy answer and its throttled log line, per pool: taken on the ack's thread, so without locks. */
    private final FullPool workersFull;
    private final FullPool readersFull;
    private final Map<String, Role> verbRoles;
    private final ScheduledExecutorService editor;
    /** HTTP mode's listener: null in socket mode, and until {@link #listen()} when the builder said {@code listenLater}. */
    private volatile HttpTransport http;
    /** HTTP mode's listener, made by {@link #listen()}; null once listening, and in socket mode. */
    private final ListenerStart pendingListener;
    private final SocketModeApp socket;
    private final App app;
    private final SlackApi api;
    private final Clock clock;

    private SlackBot(Builder b) throws Exception {
        List<String> problems = problems(b.slack);
        if (!problems.isEmpty()) {
            throw new OpsException("the slack configuration is incomplete: " + String.join("; ", problems));
        }
        boolean httpMode = "http".equals(mode(b.slack));
        com.slack.api.SlackConfig sdk = new com.slack.api.SlackConfig();
        // the SDK's call statistics would call auth.test once more on their own and log its failure as an ERROR
        // with a stack trace; opsbot has its own metrics
        sdk.setStatsEnabled(false);
        if (b.slack.apiUrl() != null && !b.slack.apiUrl().isBlank()) {
            sdk.setMethodsEndpointUrlPrefix(b.slack.apiUrl().endsWith("/") ? b.slack.apiUrl() : b.slack.apiUrl() + "/");
        }
        Slack slack = Slack.getInstance(sdk);
        SlackReachability reachability = new SlackReachability(sdk.getMethodsEndpointUrlPrefix());
        // Slack answers and takes the tokens, or one line says why not (Bolt would say "The token is invalid")
        reachability.check(slack.methods(), b.slack.botToken(), httpMode ? null : b.slack.appToken());
        // Bolt verifies every HTTP request's signature
        this.app = new App(AppConfig.builder()
                .singleTeamBotToken(b.slack.botToken())
                .signingSecret(b.slack.signingSecret())
                .slack(slack)
                // Bolt checks the bot token with auth.test when it starts, then again on the request thread of the
                // first request after 10 minutes, which makes that ack wait for a round trip to Slack. The bot's
                // identity does not change while it runs: the answer at start is kept.
                .authTestCacheEnabled(true)
                .authTestCacheExpirationMillis(-1L)
                .build());
        SlackApi api = new SlackApi(slack.methods(b.slack.botToken()), slack);
        this.api = api;
        this.clock = b.clock;

        this.workers = new ThreadPoolExecutor(b.workers, b.workers, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(b.queue),
                Threads.named("opsbot-slack-worker"), FullPool.REFUSE);
        this.readers = new ThreadPoolExecutor(b.workers, b.workers, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(b.queue),
                Threads.named("opsbot-slack-reader"), FullPool.REFUSE);
        this.workersFull = new FullPool(b.workers, b.queue, BUSY_LOG_EVERY.toNanos(), System::nanoTime);
        this.readersFull = new FullPool(b.workers, b.queue, BUSY_LOG_EVERY.toNanos(), System::nanoTime);
        this.verbRoles = Map.copyOf(b.verbRoles);
        this.editor = Executors.newScheduledThreadPool(2, Threads.named("opsbot-slack-edits"));

        AccessConfig accessConfig = b.access;
        if (accessConfig == null || accessConfig.roles() == null || accessConfig.roles().isEmpty()) {
            log.warn("event=access_default detail=\"no access.roles configured: everyone is a viewer, nobody may change anything\"");
            accessConfig = new AccessConfig(Map.of("viewer", List.of("*")),
                    accessConfig == null ? null : accessConfig.channels(), accessConfig == null ? null : accessConfig.confirmationTimeout());
        }
        CommandRunner[] runner = new CommandRunner[1];
        OperationOwners mine = id -> runner[0].requesterOf(id);
        Access access = new Access(accessConfig, new CachedGroupDirectory(api::groupMembers, b.groupCacheTtl, b.clock),
                b.verbRoles, b.owners.or(mine)).withAudit(b.audit);
        Confirmations confirmations = new Confirmations(b.clock, access.confirmationTimeout(), 1000);
        // a confirmation nobody answers is recorded as expired in the journal soon after it expires
        editor.scheduleWithFixedDelay(confirmations::recordExpired, 15, 15, TimeUnit.SECONDS);
        runner[0] = new CommandRunner(access.guard(b.handler), access, api, confirmations, editor, b.editInterval,
                b.emulated, b.clock);
        register(app, runner[0], new Dedup(b.clock, RETRY_WINDOW, 10_000, b.deliveries), api);

        HttpTransport httpTransport = null;
        SocketModeApp socketApp = null;
        try {
            if (httpMode) {
                app.start();
                if (!b.listenLater) {
                    httpTransport = listener(b);
                    httpTransport.start();
                }
            } else {
                socketApp = new SocketModeApp(b.slack.appToken(), app);
                socketApp.startAsync();
                log.info("event=slack_socket_mode_connected");
            }
        } catch (Exception e) {
            // nothing half-started stays behind
            if (httpTransport != null) {
                httpTransport.close();
            }
            if (socketApp != null) {
                try {
                    socketApp.close();
                } catch (Exception closing) {
                    e.addSuppressed(closing);
                }
            }
            workers.shutdownNow();
            readers.shutdownNow();
            editor.shutdownNow();
            throw reachability.classify(e);
        }
        this.http = httpTransport;
        this.socket = socketApp;
        this.pendingListener = httpMode && b.listenLater ? new ListenerStart(b, reachability) : null;
    }

    private HttpTransport listener(Builder b) throws java.io.IOException {
        return new HttpTransport(app, b.bindAddress, b.slack.port() == null ? DEFAULT_HTTP_PORT : b.slack.port(),
                b.slack.pathOrDefault());
    }

    /** What {@link #listen()} needs: the builder's address and port, and how a failure to listen is said. */
    private record ListenerStart(Builder builder, SlackReachability reachability) {
    }

    /**
     * HTTP mode with {@link Builder#listenLater()}: binds the port and takes requests from now on (Slack's start,
     * auth.test and Bolt's, was done by {@link Builder#start()}). Nothing is accepted before: a request cannot reach a
     * bot that is not wired yet. Fails as {@link Builder#start()} fails, the adapter then being closed. Once only.
     */
    public synchronized void listen() {
        if (pendingListener == null || http != null) {
            throw new IllegalStateException("the Slack adapter already listens, or is not in HTTP mode with listenLater");
        }
        if (state.get() == State.CLOSED) {
            throw new IllegalStateException("the Slack adapter is closed");
        }
        HttpTransport transport = null;
        try {
            transport = listener(pendingListener.builder());
            transport.start();
            http = transport;
            if (state.get() == State.CLOSED) {
                transport.close(); // closed meanwhile: close() may not have seen it
            }
        } catch (Exception e) {
            if (transport != null) {
                transport.close();
            }
            close();
            throw pendingListener.reachability().classify(e);
        }
    }

    /** Starts the bot as the configuration says; it runs until closed. */
    public static SlackBot start(SlackConfig slack, AccessConfig access, CommandHandler handler) {
        return builder(slack, access, handler).start();
    }

    public static Builder builder(SlackConfig slack, AccessConfig access, CommandHandler handler) {
        return new Builder(slack, access, handler);
    }

    /**
     * Where alerts go in Slack: one message per incident in the configured channel, edited in place, the message's
     * place written to the journal through {@code alerts}.
     */
    public AlertSink alertSink(AlertService alerts) {
        return alertSink(alerts, SlackAlerts.DEFAULT_MIN_INTERVAL);
    }

    /** @param minInterval the least time between two edits of one alert message */
    public AlertSink alertSink(AlertService alerts, Duration minInterval) {
        api.watch(new SlackApi.Health() {
            @Override
            public void rateLimited(String method, String channel, Duration retryAfter) {
                alerts.slackRateLimited(method, channel, retryAfter);
            }

            @Override
            public void delivered(String method) {
                alerts.slackDelivered();
            }
        });
        return new SlackAlerts(api, alerts.settings(), alerts::attachMessage, editor, minInterval, clock);
    }

    /** Where scheduled and requested health reports go in Slack: Block Kit, the chart and the full lists in a thread. */
    public io.opsbot.bot.report.ReportSink reportSink(java.time.ZoneId zone) {
        return new SlackReportSink(api, zone);
    }

    /** Blocks until {@link #close} (Socket Mode's threads do not keep a process alive on their own). */
    public void awaitClose() throws InterruptedException {
        closed.await();
    }

    /** The port HTTP mode listens on (useful with port 0); -1 in socket mode. */
    public int httpPort() {
        return http == null ? -1 : http.port();
    }

    /** The address and port HTTP mode listens on; null in socket mode. */
    public java.net.InetSocketAddress httpAddress() {
        return http == null ? null : http.address();
    }

    @Override
    public void close() {
        if (!state.compareAndSet(State.STARTED, State.CLOSED)) {
            return;
        }
        try {
            if (http != null) {
                http.close();
            }
            if (socket != null) {
                socket.close();
            } else {
                app.stop();
            }
        } catch (Exception e) {
            log.warn("event=slack_close_failed error=\"{}\"", e.getMessage());
        } finally {
            workers.shutdown();
            readers.shutdown();
            try {
                if (!workers.awaitTermination(10, TimeUnit.SECONDS)) {
                    workers.shutdownNow();
                }
                if (!readers.awaitTermination(5, TimeUnit.SECONDS)) {
                    readers.shutdownNow();
                }
            } catch (InterruptedException e) {
                workers.shutdownNow();
                readers.shutdownNow();
                Thread.currentThread().interrupt();
            }
            editor.shutdown();
            closed.countDown();
        }
    }

    /**
     * What the user typed: the bot's mention removed, and Slack's escaping of &amp;, &lt; and &gt; undone
     * (after the mention, which is markup), so `--grep "a&b"` greps for a&b.
     */
    public static String commandText(String raw) {
        String text = Access.stripAddress(raw);
        return text == null ? null : text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
    }

    private void register(App app, CommandRunner runner, Dedup dedup, SlackApi api) {
        app.command(COMMAND, (req, ctx) -> {
            SlashCommandPayload p = req.getPayload();
            if (blank(p.getUserId()) || blank(p.getChannelId())) {
                // Slack always sends both: without them nobody could be checked for access or answered
                log.warn("event=slack_command_malformed missing={}", blank(p.getUserId()) ? "user_id" : "channel_id");
                return ctx.ack("opsbot could not read this request: it names no user or channel");
            }
            if (!dedup.firstTime("command", p.getTriggerId())) {
                return ctx.ack();
            }
            Request request = new Request(commandText(p.getText()), p.getUserId(), p.getChannelId(), false);
            // the response_url reaches the channel even when the bot is not a member
            ThreadPoolExecutor pool = poolFor(request.text());
            if (!submit(pool, () -> runner.run(request, p.getResponseUrl()))) {
                return ctx.ack(busy(pool));
            }
            return ctx.ack();
        });
        app.event(AppMentionEvent.class, (payload, ctx) -> {
            AppMentionEvent e = payload.getEvent();
            if (blank(e.getUser()) || blank(e.getChannel())) {
                log.warn("event=slack_mention_malformed event_id={} missing={}", payload.getEventId(),
                        blank(e.getUser()) ? "user" : "channel");
            } else if (dedup.firstTime("event", payload.getEventId())) {
                accept(new Request(commandText(e.getText()), e.getUser(), e.getChannel(), false), runner);
            } else {
                log.info("event=slack_retry_ignored event_id={} retry={}", payload.getEventId(), ctx.getRetryNum());
            }
            return ctx.ack();
        });
        app.event(MessageEvent.class, (payload, ctx) -> {
            MessageEvent e = payload.getEvent();
            // direct messages only; the bot's own and other bots' messages are not commands
            if ("im".equals(e.getChannelType()) && e.getBotId() == null && !blank(e.getUser()) && !blank(e.getChannel())) {
                if (dedup.firstTime("event", payload.getEventId())) {
                    accept(new Request(commandText(e.getText()), e.getUser(), e.getChannel(), false), runner);
                } else {
                    log.info("event=slack_retry_ignored event_id={} retry={}", payload.getEventId(), ctx.getRetryNum());
                }
            }
            return ctx.ack();
        });
        // edits, deletions, bot posts, file shares in a DM are not commands; without a handler Bolt answers 404
        // and Slack keeps retrying them
        for (Class<? extends com.slack.api.model.event.Event> ignored : List.of(MessageChangedEvent.class,
                MessageDeletedEvent.class, MessageBotEvent.class, MessageFileShareEvent.class, MessageRepliedEvent.class,
                MessageThreadBroadcastEvent.class, MessageMeEvent.class)) {
            ignore(app, ignored);
        }
        app.blockAction(BlockKit.ACTION_CONFIRM, (req, ctx) -> {
            Click c = Click.of(BlockKit.ACTION_CONFIRM, req.getPayload());
            if (c != null && dedup.firstTime("action", c.triggerId())) {
                runOrSayBusy(workers, () -> runner.confirm(c.value(), c.user(), c.channel(), c.responseUrl()), c.channel(), c.user());
            }
            return ctx.ack();
        });
        app.blockAction(BlockKit.ACTION_DECLINE, (req, ctx) -> {
            Click c = Click.of(BlockKit.ACTION_DECLINE, req.getPayload());
            if (c != null && dedup.firstTime("action", c.triggerId())) {
                runOrSayBusy(readers, () -> runner.decline(c.value(), c.user(), c.channel(), c.responseUrl()), c.channel(), c.user());
            }
            return ctx.ack();
        });
        for (String action : List.of(AlertBlocks.ACTION_LOGS, AlertBlocks.ACTION_STATUS, AlertBlocks.ACTION_RESTART,
                AlertBlocks.ACTION_MUTE)) {
            alertButton(app, action, runner, dedup);
        }
        app.blockAction(BlockKit.ACTION_CANCEL, (req, ctx) -> {
            Click c = Click.of(BlockKit.ACTION_CANCEL, req.getPayload());
            if (c != null && dedup.firstTime("action", c.triggerId())) {
                runOrSayBusy(readers, () -> runner.cancel(c.value(), c.user(), c.channel(), c.responseUrl()), c.channel(), c.user());
            }
            return ctx.ack();
        });
    }

    /**
     * What a button click carries, or null (logged) when the payload lacks a part a click needs: Slack always sends
     * them, so a payload without is not Slack's, and it is acknowledged and dropped rather than failing with a 500
     * (which Slack would retry).
     */
    record Click(String triggerId, String value, String user, String channel, String responseUrl) {
        static Click of(String actionId, com.slack.api.app_backend.interactive_components.payload.BlockActionPayload p) {
            List<String> missing = new ArrayList<>();
            if (p.getActions() == null || p.getActions().isEmpty() || p.getActions().get(0).getValue() == null) {
                missing.add("actions[0].value");
            }
            if (p.getUser() == null || p.getUser().getId() == null) {
                missing.add("user.id");
            }
            if (p.getChannel() == null || p.getChannel().getId() == null) {
                missing.add("channel.id");
            }
            if (!missing.isEmpty()) {
                log.warn("event=slack_action_malformed action={} missing={}", actionId, String.join(",", missing));
                return null;
            }
            return new Click(p.getTriggerId(), p.getActions().get(0).getValue(), p.getUser().getId(), p.getChannel().getId(),
                    p.getResponseUrl());
        }
    }

    /** An alert's buttons run the command they stand for as the person who clicked: roles and confirmations apply. */
    private void alertButton(App app, String actionId, CommandRunner runner, Dedup dedup) {
        app.blockAction(actionId, (req, ctx) -> {
            Click c = Click.of(actionId, req.getPayload());
            if (c != null && dedup.firstTime("action", c.triggerId())) {
                Request request = new Request(AlertBlocks.commandFor(actionId, c.value()), c.user(), c.channel(), false);
                runOrSayBusy(poolFor(request.text()), () -> runner.run(request), request.channel(), request.user());
            }
            return ctx.ack();
        });
    }

    private static <E extends com.slack.api.model.event.Event> void ignore(App app, Class<E> type) {
        app.event(type, (payload, ctx) -> ctx.ack());
    }

    private void accept(Request request, CommandRunner runner) {
        runOrSayBusy(poolFor(request.text()), () -> runner.run(request), request.channel(), request.user());
    }

    /** Runs {@code work} on {@code pool}, or tells the user privately that opsbot is busy: a click or an event is never dropped unsaid. */
    private void runOrSayBusy(ThreadPoolExecutor pool, Runnable work, String channel, String user) {
        if (!submit(pool, work)) {
            // once: the edit scheduler must not wait out a rate limit
            editor.execute(() -> api.tryEphemeral(channel, user, new BlockKit().rejected(busy(pool))));
        }
    }

    /** Queries and cancels to the readers, anything that may change the cluster to the workers. */
    private ThreadPoolExecutor poolFor(String text) {
        String verb = Access.verbOf(text);
        return verb.equals("cancel") || verbRoles.getOrDefault(verb, Role.OPERATOR) == Role.VIEWER ? readers : workers;
    }

    /** False when the pool and its queue are full: the user is told, nothing is dropped silently. */
    private boolean submit(ThreadPoolExecutor pool, Runnable work) {
        try {
            pool.execute(() -> {
                try {
                    work.run();
                } catch (RuntimeException e) {
                    log.error("event=slack_worker_failed error=\"{}\"", e.getMessage(), e);
                }
            });
            return true;
        } catch (RejectedExecutionException e) {
            long refused = full(pool).refused();
            if (refused > 0) {
                log.warn("event=slack_busy pool={} running={} waiting={} refused={} detail=\"commands refused since the last such line "
                        + "(at most one per {} s)\"", pool == readers ? "queries" : "operations", pool.getMaximumPoolSize(),
                        pool.getQueue().remainingCapacity() + pool.getQueue().size(), refused, BUSY_LOG_EVERY.toSeconds());
            }
            return false;
        }
    }

    private FullPool full(ThreadPoolExecutor pool) {
        return pool == readers ? readersFull : workersFull;
    }

    private String busy(ThreadPoolExecutor pool) {
        return full(pool).answer();
    }

    private static String mode(SlackConfig slack) {
        return slack.mode() == null || slack.mode().isBlank() ? "socket" : slack.mode().trim().toLowerCase(Locale.ROOT);
    }

    /** Every problem at once, never a token's value. */
    static List<String> problems(SlackConfig slack) {
        List<String> out = new ArrayList<>();
        if (slack == null) {
            out.add("no slack section");
            return out;
        }
        String mode = mode(slack);
        if (!mode.equals("socket") && !mode.equals("http")) {
            out.add("slack.mode must be socket or http, not '" + slack.mode() + "'");
        }
        if (blank(slack.botToken())) {
            out.add("slack.botToken is missing (the xoxb- token from OAuth & Permissions)");
        }
        if (mode.equals("socket") && blank(slack.appToken())) {
            out.add("slack.appToken is missing (an xapp- app-level token with connections:write), needed in socket mode");
        }
        if (mode.equals("http") && blank(slack.signingSecret())) {
            out.add("slack.signingSecret is missing (Basic Information → App Credentials), needed in http mode");
        }
        if (slack.port() != null && (slack.port() < 0 || slack.port() > 65535)) {
            out.add("slack.port must be 0..65535, not " + slack.port());
        }
        return out;
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    /** Optional settings; {@link #start()} builds and starts the bot. */
    public static final class Builder {
        private final SlackConfig slack;
        private final AccessConfig access;
        private final CommandHandler handler;
        private boolean emulated;
        private int workers = 8;
        private int queue = 64;
        private Duration editInterval = Duration.ofSeconds(1);
        private Duration groupCacheTtl = Duration.ofMinutes(5);
        private Clock clock = Clock.systemUTC();
        private OperationOwners owners = OperationOwners.UNKNOWN;
        private AuditTrail audit = AuditTrail.NONE;
        private Map<String, Role> verbRoles = Access.DEFAULT_VERBS;
        private String bindAddress = System.getenv().getOrDefault("OPSBOT_SLACK_BIND", "127.0.0.1");
        private RetryPolicy reconnect = RECONNECT;
        private Sleeper sleeper = Sleeper.REAL;
        private Deliveries deliveries;
        private boolean listenLater;
        private final RandomGenerator random = new SplittableRandom();

        private Builder(SlackConfig slack, AccessConfig access, CommandHandler handler) {
            this.slack = slack;
            this.access = access;
            this.handler = Objects.requireNonNull(handler, "handler");
        }

        /** Progress messages say the cluster is emulated. */
        /**
         * Deliveries shared with the other replicas (the journal's {@code chat_deliveries}): a retry of a delivery
         * another replica took runs nothing here. Without it, retries are recognised in this process only.
         */
        public Builder deliveries(Deliveries shared) {
            this.deliveries = shared;
            return this;
        }

        public Builder emulated(boolean value) {
            this.emulated = value;
            return this;
        }

        /**
         * Commands running at once, and how many may wait for a worker before users are told it is busy: for operations
         * and, as many again, for queries (which never wait behind operations).
         */
        public Builder workers(int threads, int waiting) {
            if (threads < 1 || waiting < 1) {
                throw new IllegalArgumentException("workers and queue must be at least 1");
            }
            this.workers = threads;
            this.queue = waiting;
            return this;
        }

        /** The least time between two edits of one message (Slack allows about one per second). */
        public Builder editInterval(Duration value) {
            this.editInterval = value;
            return this;
        }

        public Builder groupCacheTtl(Duration value) {
            this.groupCacheTtl = value;
            return this;
        }

        public Builder clock(Clock value) {
            this.clock = value;
            return this;
        }

        /** Who started an operation (the journal), so that cancelling another's needs the admin role. */
        public Builder owners(OperationOwners value) {
            this.owners = value;
            return this;
        }

        /** Where denials and confirmation events are recorded besides the log (the journal). */
        public Builder audit(AuditTrail value) {
            this.audit = value;
            return this;
        }

        /** The role each verb needs; the grammar's table once it is wired. */
        public Builder verbRoles(Map<String, Role> value) {
            this.verbRoles = new java.util.LinkedHashMap<>(value);
            return this;
        }

        /** HTTP mode's listening address; 127.0.0.1 by default (a TLS proxy in front), or $OPSBOT_SLACK_BIND. */
        /**
         * HTTP mode: {@link #start()} does Slack's part of the start (auth.test, Bolt) but does not listen until
         * {@link SlackBot#listen()}, so that it can run while the rest of the bot is wired.
         */
        public Builder listenLater() {
            this.listenLater = true;
            return this;
        }

        public Builder bindAddress(String value) {
            this.bindAddress = value;
            return this;
        }

        /** The pauses between connection attempts in {@link #startRetrying}: growing, capped, jittered. */
        public Builder reconnect(RetryPolicy backoff, Sleeper pauses) {
            this.reconnect = Objects.requireNonNull(backoff, "backoff");
            this.sleeper = Objects.requireNonNull(pauses, "pauses");
            return this;
        }

        /**
         * Starts the bot once. A Slack that cannot be reached (no route, DNS, refused, 5xx, rate limit) fails with
         * {@link SlackReachability.Unreachable}; a rejected token or a bad setting with a plain {@link OpsException};
         * either has a one-line message.
         */
        public SlackBot start() {
            try {
                return new SlackBot(this);
            } catch (OpsException e) {
                throw e;
            } catch (Exception e) {
                throw new OpsException("cannot start the Slack adapter: " + e.getMessage(), e);
            }
        }

        /**
         * Starts the bot as a long-running service does: while Slack cannot be reached it tries again after a
         * growing, jittered pause (bounded by the reconnect policy's longest pause), saying each failed attempt in
         * one line to {@code say} and the log; a rejected token or a bad setting still fails at once, since no
         * wait mends it. Returns when connected; an interrupt stops the waiting.
         */
        public SlackBot startRetrying(Consumer<String> say) throws InterruptedException {
            for (int attempt = 1; ; attempt++) {
                try {
                    SlackBot bot = start();
                    if (attempt > 1) {
                        log.info("event=slack_connected attempt={}", attempt);
                        say.accept("connected to Slack after " + attempt + " attempts");
                    }
                    return bot;
                } catch (SlackReachability.Unreachable e) {
                    Duration pause = reconnect.backoffAfter(attempt, random);
                    String retryIn = String.format(Locale.ROOT, "%.1fs", pause.toMillis() / 1000.0);
                    log.warn("event=slack_connect_failed attempt={} retry_in={} reason=\"{}\"", attempt, retryIn, e.getMessage());
                    say.accept(e.getMessage() + " (attempt " + attempt + "; trying again in " + retryIn + ")");
                    sleeper.sleep(pause);
                }
            }
        }
    }
}
