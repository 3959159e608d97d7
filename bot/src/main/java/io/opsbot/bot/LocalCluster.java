package io.opsbot.bot;

import io.opsbot.config.ClusterConfig;
import io.opsbot.sim.Sim;
import io.opsbot.sim.SimEndpoints;
import io.opsbot.sim.SimOptions;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * The local default: the emulated cluster started in-process, and a cluster configuration pointing the real
 * clients at it over HTTP, HTTPS (Flocker, with the sim's client certificate) and SSH.
 */
final class LocalCluster implements AutoCloseable {

    private final Sim sim;

    private LocalCluster(Sim sim) {
        this.sim = sim;
    }

    static LocalCluster start(Path home) {
        return new LocalCluster(Sim.start(SimOptions.defaults(home.resolve("sim"))));
    }

    ClusterConfig config() {
        SimEndpoints e = sim.endpoints();
        Map<String, String> nodes = new TreeMap<>();
        e.sshPorts().keySet().forEach(node -> nodes.put(node, "127.0.0.1"));
        return new ClusterConfig(
                new ClusterConfig.Marathon(e.marathonUrl(), null, null, null),
                new ClusterConfig.Mesos(e.mesosUrl(), null),
                new ClusterConfig.Flocker(e.flockerUrl(), e.flockerCa().toString(), e.flockerCert().toString(),
                        e.flockerKey().toString()),
                new ClusterConfig.Registry(e.registryUrl()),
                null,
                new ClusterConfig.Weave(null, null, e.weaveUrls()),
                new ClusterConfig.Ssh(e.sshUser(), e.sshKey().toString(), null, null, e.sshPorts()),
                nodes,
                true);
    }

    @Override
    public void close() {
        sim.close();
    }
}
