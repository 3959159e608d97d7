package io.opsbot.cluster.mesos;

import static io.opsbot.cluster.http.Json.at;
import static io.opsbot.cluster.http.Json.text;

import com.fasterxml.jackson.databind.JsonNode;
import io.opsbot.cluster.http.ApiCaller;
import io.opsbot.cluster.http.ApiResponse;
import io.opsbot.cluster.http.Auth;
import io.opsbot.cluster.http.ClientMetrics;
import io.opsbot.cluster.http.HttpClients;
import io.opsbot.cluster.http.Json;
import io.opsbot.cluster.http.RetryPolicy;
import io.opsbot.engine.OpsException;
import io.opsbot.engine.TransientException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Typed client of the Mesos master's HTTP endpoints. With several masters configured it finds the leader
 * (GET /master/redirect answers 307 with Location "//host:port"; failing that, the "leader" field of
 * /master/state), talks to it, caches it, and finds it again when it stops answering.
 */
public final class MesosClient {

    private static final Logger LOG = LoggerFactory.getLogger(MesosClient.class);
    static final String SERVICE = "mesos";

    private final List<ApiCaller> masters;
    private final OkHttpClient client;
    private final AtomicReference<ApiCaller> leader = new AtomicReference<>();

    public MesosClient(List<String> masterUrls, OkHttpClient shared) {
        this(masterUrls, Auth.none(), shared, ClientMetrics.NOOP, RetryPolicy.DEFAULT);
    }

    public MesosClient(List<String> masterUrls, Auth auth, OkHttpClient shared, ClientMetrics metrics,
                       RetryPolicy retry) {
        if (masterUrls == null || masterUrls.isEmpty()) {
            throw new IllegalArgumentException("at least one Mesos master URL is needed");
        }
        // Redirects are the leader's address: we read them, we do not follow them blindly.
        this.client = HttpClients.forService(shared.newBuilder().followRedirects(false).build(), SERVICE, auth,
                metrics, retry);
        List<ApiCaller> callers = new ArrayList<>();
        for (String url : masterUrls) {
            callers.add(new ApiCaller("Mesos master", url, client));
        }
        this.masters = List.copyOf(callers);
    }

    /** GET /master/state (or /master/state.json on masters too old to know the former). */
    public MesosState state() {
        return withLeader(MesosClient::stateOf);
    }

    /**
     * GET /master/state without the frameworks' active tasks ({@link Framework#tasks()} empty): the agents and the
     * ended tasks, for the health report, without building every running task of a large cluster.
     */
    public MesosState stateWithoutActiveTasks() {
        return withLeader(master -> stateResponse(master).json(MesosState::parseWithoutActiveTasks));
    }

    private static MesosState stateOf(ApiCaller master) {
        return MesosState.parse(stateResponse(master).json());
    }

    /** The master's state, from /master/state or, on masters too old to know it, /master/state.json. */
    private static ApiResponse stateResponse(ApiCaller master) {
        ApiResponse response = get(master, "master/state");
        if (response.code() == 404) {
            response = get(master, "master/state.json");
        }
        return ok(response);
    }

    /**
     * GET /master/slaves: the registered agents with their total and used resources, without the tasks that
     * {@link #state()} carries (on a cluster of 10,000 tasks, a small fraction of its size). A master too old to serve
     * it (404) is asked for its state instead.
     */
    public List<Agent> agents() {
        return withLeader(master -> {
            ApiResponse response = get(master, "master/slaves");
            if (response.code() == 404) {
                return stateOf(master).agents();
            }
            return Json.list(ok(response).json(), "slaves", Agent::parse);
        });
    }

    /** GET /master/health: true when the leading master answers 200. */
    public boolean healthy() {
        return withLeader(master -> {
            ApiResponse response = get(master, "master/health");
            if (response.code() >= 300 && response.code() < 400) {
                ok(response);
            }
            return response.code() == 200;
        });
    }

    /** GET /metrics/snapshot: every numeric metric by name (e.g. "master/elected" → 1.0). */
    public Map<String, Double> metrics() {
        return withLeader(master -> {
            JsonNode node = ok(get(master, "metrics/snapshot")).json();
            Map<String, Double> out = new LinkedHashMap<>();
            node.properties().forEach(e -> {
                if (e.getValue().isNumber()) {
                    out.put(e.getKey(), e.getValue().asDouble());
                }
            });
            return Collections.unmodifiableMap(out);
        });
    }

    /** The base URL of the leading master (discovering it if needed). */
    public String leaderUrl() {
        return leader().base().toString();
    }

    private <T> T withLeader(Function<ApiCaller, T> call) {
        ApiCaller current = leader();
        try {
            return call.apply(current);
        } catch (TransientException e) {
            if (masters.size() == 1) {
                throw e;
            }
            // The leader may have changed: forget it, find the new one, try once more.
            leader.compareAndSet(current, null);
            LOG.warn("svc=mesos leader={} error=\"{}\" rediscovering", current.base(), e.getMessage());
            ApiCaller next = leader();
            return call.apply(next);
        }
    }

    private ApiCaller leader() {
        ApiCaller cached = leader.get();
        if (cached != null) {
            return cached;
        }
        ApiCaller found = masters.size() == 1 ? masters.get(0) : discover();
        leader.set(found);
        return found;
    }

    private ApiCaller discover() {
        List<String> problems = new ArrayList<>();
        for (ApiCaller master : masters) {
            try {
                ApiResponse response = get(master, "master/redirect");
                String location = response.header("Location");
                if (response.code() >= 300 && response.code() < 400 && location != null) {
                    ApiCaller found = callerFor(master, location);
                    LOG.info("svc=mesos asked={} leader={}", master.base(), found.base());
                    return found;
                }
                problems.add(master.base() + " answered HTTP " + response.code() + " to /master/redirect");
                String fromState = leaderFromState(master);
                if (fromState != null) {
                    return callerFor(master, fromState);
                }
            } catch (OpsException e) {
                problems.add(e.getMessage());
            }
        }
        throw new TransientException("no leading Mesos master found: " + String.join("; ", problems));
    }

    /** "leader": "master@10.0.0.1:5050" in the state of any master, standby ones included. */
    private String leaderFromState(ApiCaller master) {
        ApiResponse response = get(master, "master/state");
        if (!response.isSuccessful()) {
            return null;
        }
        JsonNode state = response.json();
        JsonNode info = at(state, "leader_info");
        if (text(info, "hostname") != null && info.has("port")) {
            return "//" + text(info, "hostname") + ":" + info.get("port").asInt();
        }
        String leaderPid = text(state, "leader");
        if (leaderPid == null || !leaderPid.contains("@")) {
            return null;
        }
        return "//" + leaderPid.substring(leaderPid.indexOf('@') + 1);
    }

    /** A caller for the leader's location, keeping the scheme (and credentials) of the configured master. */
    private ApiCaller callerFor(ApiCaller asked, String location) {
        HttpUrl resolved = asked.base().resolve(location);
        if (resolved == null) {
            throw new OpsException("Mesos master at " + asked.base() + " named an unusable leader: " + location);
        }
        HttpUrl base = new HttpUrl.Builder().scheme(asked.base().scheme()).host(resolved.host()).port(resolved.port()).build();
        for (ApiCaller master : masters) {
            if (master.base().host().equals(base.host()) && master.base().port() == base.port()) {
                return master;
            }
        }
        return new ApiCaller("Mesos master", base.toString(), client);
    }

    private static ApiResponse get(ApiCaller master, String path) {
        return master.send(new Request.Builder().url(master.url().addPathSegments(path).build())
                .header("Accept", "application/json").build());
    }

    private static ApiResponse ok(ApiResponse response) {
        if (response.isSuccessful()) {
            return response;
        }
        if (response.code() >= 300 && response.code() < 400) {
            // A master that lost leadership redirects to the new leader: find it again.
            throw new TransientException("Mesos master at " + response.origin() + " no longer leads (HTTP "
                    + response.code() + " to " + response.header("Location") + ")");
        }
        if (response.code() >= 500) {
            throw response.serverError(response.excerpt());
        }
        throw response.unexpected(response.excerpt());
    }
}
