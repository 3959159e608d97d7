package io.opsbot.config;

import java.util.List;
import java.util.Map;

/**
 * Where the cluster's services are. Every component is optional: one that is absent is reported as
 * "not configured" and the rest keep working.
 */
public record ClusterConfig(Marathon marathon, Mesos mesos, Flocker flocker, Registry registry, Docker docker,
                            Weave weave, Ssh ssh, Map<String, String> nodes, Map<String, Service> services,
                            Boolean emulated) {

    public ClusterConfig {
        nodes = nodes == null ? Map.of() : Map.copyOf(nodes);
        services = services == null ? Map.of() : Map.copyOf(services);
    }

    public boolean isEmulated() {
        return Boolean.TRUE.equals(emulated);
    }

    public record Marathon(String url, String username, String password, String token) {
        @Override
        public String toString() {
            return "Marathon[url=" + url + ", username=" + username + ", credentials=<hidden>]";
        }
    }

    /** {@code url} for one master, or {@code urls} for several (the client follows the leader). */
    public record Mesos(String url, List<String> urls) {
        public List<String> all() {
            if (urls != null && !urls.isEmpty()) {
                return List.copyOf(urls);
            }
            return url == null ? List.of() : List.of(url);
        }
    }

    /** The control service, with the PEM files of the cluster CA and of the client certificate. */
    public record Flocker(String url, String ca, String cert, String key) {}

    public record Registry(String url) {}

    public record Docker(String host) {}

    /** {@code via: ssh} reaches each node's Weave API on its loopback through SSH; or a fixed {@code url}. */
    public record Weave(String via, String url, Map<String, String> urls) {
        public boolean viaSsh() {
            return "ssh".equalsIgnoreCase(via);
        }
    }

    /**
     * Where a service runs and where it logs, for {@code logs}: the {@code nodes} running it (absent: where the
     * default inventory puts it, every node for a service it does not know), its systemd {@code unit} (absent:
     * the service's name), or instead of the journal a log {@code file} (an absolute path on those nodes).
     */
    public record Service(List<String> nodes, String unit, String file) {
        public Service {
            nodes = nodes == null ? null : List.copyOf(nodes);
        }
    }

    /** {@code ports} lets one machine stand for several nodes (the emulator, tests). */
    public record Ssh(String user, String key, String knownHosts, Integer port, Map<String, Integer> ports) {
        public int portOf(String node) {
            if (ports != null && ports.containsKey(node)) {
                return ports.get(node);
            }
            return port == null ? 22 : port;
        }
    }
}
