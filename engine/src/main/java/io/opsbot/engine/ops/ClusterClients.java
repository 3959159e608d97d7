package io.opsbot.engine.ops;

import io.opsbot.cluster.http.Auth;
import io.opsbot.cluster.http.HttpClients;
import io.opsbot.cluster.marathon.DeploymentWatcher;
import io.opsbot.cluster.marathon.MarathonClient;
import io.opsbot.cluster.marathon.MarathonEvents;
import io.opsbot.config.ClusterConfig;
import io.opsbot.engine.OpsException;
import java.io.Closeable;
import okhttp3.OkHttpClient;

/**
 * The cluster's API clients, built once from the configuration over one shared HTTP client. A component that
 * is not configured is null here and reported as "not configured" where it is needed.
 */
public final class ClusterClients implements Closeable {

    private final ClusterConfig config;
    private final MarathonClient marathon;
    private final MarathonEvents events;
    private final DeploymentWatcher watcher;

    private ClusterClients(ClusterConfig config, MarathonClient marathon, MarathonEvents events) {
        this.config = config;
        this.marathon = marathon;
        this.events = events;
        this.watcher = marathon == null ? null : new DeploymentWatcher(marathon, events);
    }

    public static ClusterClients connect(ClusterConfig config) {
        OkHttpClient shared = HttpClients.shared();
        MarathonClient marathon = null;
        MarathonEvents events = null;
        if (config.marathon() != null) {
            Auth auth = marathonAuth(config.marathon());
            marathon = new MarathonClient(config.marathon().url(), auth, shared);
            events = new MarathonEvents(config.marathon().url(), auth, shared);
        }
        return new ClusterClients(config, marathon, events);
    }

    private static Auth marathonAuth(ClusterConfig.Marathon m) {
        if (m.token() != null && !m.token().isBlank()) {
            return Auth.bearer(m.token());
        }
        if (m.username() != null && !m.username().isBlank()) {
            return Auth.basic(m.username(), m.password() == null ? "" : m.password());
        }
        return Auth.none();
    }

    public ClusterConfig config() {
        return config;
    }

    public boolean emulated() {
        return config.isEmulated();
    }

    public MarathonClient marathon() {
        if (marathon == null) {
            throw new OpsException("Marathon is not configured (cluster.marathon.url in opsbot.yaml)");
        }
        return marathon;
    }

    public DeploymentWatcher deployments() {
        marathon();
        return watcher;
    }

    @Override
    public void close() {
        if (events != null) {
            events.close();
        }
    }
}
