package io.opsbot.bot.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.opsbot.bot.CommandHandler;
import io.opsbot.bot.Response;
import io.opsbot.bot.command.Grammar;
import io.opsbot.bot.command.VerbSpec;
import io.opsbot.cluster.http.ClientMetrics;
import io.opsbot.engine.Outcome;
import io.opsbot.engine.ProgressListener;
import io.opsbot.engine.StepResult;
import java.time.Duration;
import java.util.Collection;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The bot's Micrometer meters, kept in a Prometheus registry that {@link OpsHttpEndpoint} serves.
 *
 * <p>Every tag value comes from a fixed set (a known verb, a response type, a step result, an operation state,
 * an HTTP method, a service name chosen in code): never text a user typed, so series stay few and a token
 * pasted into chat can never reach a metric.
 *
 * <ul>
 *   <li>{@code opsbot.commands} counter, tags verb, outcome</li>
 *   <li>{@code opsbot.command.duration} timer, tags verb, outcome</li>
 *   <li>{@code opsbot.steps} counter and {@code opsbot.step.duration} timer, tag result</li>
 *   <li>{@code opsbot.operations} counter, tag state</li>
 *   <li>{@code opsbot.client.calls} timer, tags service, method, status</li>
 * </ul>
 */
public final class OpsMetrics {

    /** The verb tag for anything that does not start with a known command word. */
    static final String OTHER = "other";

    private static final Pattern SPACES = Pattern.compile("\\s+");
    // the prefixes the parser skips too: a Slack mention and "/ops"
    private static final Pattern MENTION = Pattern.compile("^<@[!&]?[A-Za-z0-9]+(?:\\|[^>]*)?>[:,]?");
    private static final String OPS_PREFIX = "/ops";
    private static final Set<String> HTTP_METHODS = Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");

    private final PrometheusMeterRegistry registry;
    private final Set<String> verbs;

    /** @param verbs the first words of the known commands ("deploy", "scale", "who", …), lower case */
    public OpsMetrics(Collection<String> verbs) {
        this(verbs, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    }

    public OpsMetrics(Collection<String> verbs, PrometheusMeterRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.verbs = verbs.stream().map(v -> v.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    /** Meters for the commands of {@code grammar}: its verbs' first words are the only verb tags. */
    public static OpsMetrics of(Grammar grammar) {
        return new OpsMetrics(grammar.verbs().stream().map(VerbSpec::key).toList());
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /**
     * Counts and times every request {@code inner} handles, by verb and outcome. The listener it hands on is
     * already {@link #steps wrapped}, so steps and operations of commands are counted too.
     */
    public CommandHandler instrument(CommandHandler inner) {
        Objects.requireNonNull(inner, "inner");
        return (request, progress) -> {
            String verb = verbOf(request.text());
            long start = System.nanoTime();
            String outcome = "error";
            try {
                Response response = inner.handle(request, steps(progress));
                outcome = outcomeOf(response);
                return response;
            } finally {
                Duration took = Duration.ofNanos(System.nanoTime() - start);
                Counter.builder("opsbot.commands").description("Commands handled")
                        .tag("verb", verb).tag("outcome", outcome).register(registry).increment();
                Timer.builder("opsbot.command.duration").description("Time to handle a command")
                        .tag("verb", verb).tag("outcome", outcome).register(registry).record(took);
            }
        };
    }

    /**
     * Counts step results and operation end states, times steps, and forwards every call to {@code inner}.
     * Wrapping a listener this instance already wrapped returns it unchanged, so nothing is counted twice.
     */
    public ProgressListener steps(ProgressListener inner) {
        Objects.requireNonNull(inner, "inner");
        if (inner instanceof MeteredListener m && m.owner() == this) {
            return inner;
        }
        return new MeteredListener(this, inner);
    }

    /** For the cluster clients: one timer sample per HTTP call. */
    public ClientMetrics clientMetrics() {
        return (service, method, statusClass, latency) -> Timer.builder("opsbot.client.calls")
                .description("Calls to cluster services")
                .tag("service", service == null ? "unknown" : service)
                .tag("method", methodTag(method))
                .tag("status", statusClass == null ? "unknown" : statusClass)
                .register(registry)
                .record(latency);
    }

    /** A value read at every scrape, e.g. {@code gauge("opsbot.operations.running", engine::running)}. */
    public void gauge(String name, Supplier<Number> value) {
        Objects.requireNonNull(value, "value");
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a gauge needs a name");
        }
        Gauge.builder(name, value).strongReference(true).register(registry);
    }

    /** Prometheus text exposition format, version 0.0.4. */
    public String scrape() {
        return registry.scrape(OpsHttpEndpoint.PROMETHEUS_TEXT);
    }

    void stepFinished(StepResult result, Duration elapsed) {
        String tag = result == null ? "unknown" : result.name().toLowerCase(Locale.ROOT);
        Counter.builder("opsbot.steps").description("Steps run, by result").tag("result", tag)
                .register(registry).increment();
        if (elapsed != null) {
            Timer.builder("opsbot.step.duration").description("Time a step took").tag("result", tag)
                    .register(registry).record(elapsed);
        }
    }

    void operationFinished(Outcome.State state) {
        String tag = state == null ? "unknown" : state.name().toLowerCase(Locale.ROOT);
        Counter.builder("opsbot.operations").description("Operations ended, by final state").tag("state", tag)
                .register(registry).increment();
    }

    /** The request's command word if it is a known one, else "other". */
    String verbOf(String text) {
        if (text == null) {
            return OTHER;
        }
        String line = MENTION.matcher(text.strip()).replaceFirst("").strip();
        String[] words = SPACES.split(line, 3);
        int first = 0;
        if (words.length > 1 && words[0].equalsIgnoreCase(OPS_PREFIX)) {
            first = 1;
        }
        String word = words[first].toLowerCase(Locale.ROOT);
        return verbs.contains(word) ? word : OTHER;
    }

    static String outcomeOf(Response response) {
        if (response instanceof Response.Answer) {
            return "answer";
        }
        if (response instanceof Response.Planned) {
            return "planned";
        }
        if (response instanceof Response.NeedsConfirmation) {
            return "needs_confirmation";
        }
        if (response instanceof Response.Rejected) {
            return "rejected";
        }
        if (response instanceof Response.Finished f && f.outcome() != null && f.outcome().state() != null) {
            return f.outcome().state().name().toLowerCase(Locale.ROOT);
        }
        return "unknown";
    }

    private static String methodTag(String method) {
        String upper = method == null ? "" : method.toUpperCase(Locale.ROOT);
        return HTTP_METHODS.contains(upper) ? upper : "OTHER";
    }
}
