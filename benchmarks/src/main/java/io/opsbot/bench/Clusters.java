package io.opsbot.bench;

import io.opsbot.config.ClusterConfig;
import io.opsbot.sim.SimEndpoints;
import java.util.TreeMap;

/** Cluster configurations that point opsbot's real clients at an emulated cluster the harness started. */
final class Clusters {

    private Clusters() {
    }

    static ClusterConfig of(SimEndpoints e) {
        return new ClusterConfig(
                new ClusterConfig.Marathon(e.marathonUrl(), null, null, null),
                new ClusterConfig.Mesos(e.mesosUrl(), null),
                new ClusterConfig.Flocker(e.flockerUrl(), e.flockerCa().toString(), e.flockerCert().toString(), e.flockerKey().toString()),
                new ClusterConfig.Registry(e.registryUrl()),
                null,
                new ClusterConfig.Weave(null, null, e.weaveUrls()),
                new ClusterConfig.Ssh(e.sshUser(), e.sshKey().toString(), null, null, e.sshPorts()),
                new TreeMap<>(e.nodeAddresses()),
                null,
                true);
    }
}
