package io.opsbot.bot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.opsbot.catalog.AppCatalog;
import io.opsbot.catalog.AppSpec;
import io.opsbot.catalog.TemplateRenderer;
import io.opsbot.config.ClusterConfig;
import io.opsbot.sim.Sim;
import io.opsbot.sim.SimEndpoints;
import io.opsbot.sim.SimOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * The local default: the emulated cluster started in-process, and a cluster configuration pointing the real
 * clients at it over HTTP, HTTPS (Flocker, with the sim's client certificate) and SSH. The emulated cluster
 * starts with the app catalog's own definitions (version {@value #SEED_VERSION}), so what runs matches the
 * catalog until someone changes it.
 */
final class LocalCluster implements AutoCloseable {

    static final String SEED_VERSION = "1.0";
    /** The registry as the emulated cluster's image references name it. */
    static final String REGISTRY = "node1:5000";

    private final Sim sim;

    private LocalCluster(Sim sim) {
        this.sim = sim;
    }

    static LocalCluster start(Path home, AppCatalog catalog) {
        Path simHome = home.resolve("sim");
        Path topology = writeTopology(simHome, catalog);
        return new LocalCluster(Sim.start(new SimOptions(simHome, 0, topology, SimOptions.DEFAULT_TIME_SCALE, false)));
    }

    /** The sim's default topology with the catalog's apps and datasets in place of its own. */
    static Path writeTopology(Path simHome, AppCatalog catalog) {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        try (InputStream in = Sim.class.getResourceAsStream("/default-topology.yaml")) {
            if (in == null) {
                throw new IllegalStateException("the sim's default-topology.yaml is missing from the class path");
            }
            ObjectNode topology = (ObjectNode) yaml.readTree(in);
            topology.put("registry", REGISTRY);
            ArrayNode apps = topology.putArray("apps");
            ArrayNode datasets = topology.putArray("datasets");
            TemplateRenderer renderer = new TemplateRenderer();
            for (AppSpec app : catalog.apps()) {
                JsonNode definition = renderer.render(app, Map.of("registry", REGISTRY, "version", SEED_VERSION));
                apps.add(definition);
                if (app.stateful()) {
                    long gib = Math.max(1, app.dataset().sizeBytes() >> 30);
                    datasets.addObject().put("name", app.dataset().name()).put("node", app.node()).put("sizeGiB", gib);
                }
            }
            Files.createDirectories(simHome);
            Path file = simHome.resolve("topology.yaml");
            Files.writeString(file, "# Written by opsbot from the app catalog for the local default; the sim reads it when it\n"
                    + "# starts without state (first start, or `opsbot sim --reset`).\n" + yaml.writeValueAsString(topology));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the emulated cluster's topology under " + simHome, e);
        }
    }

    ClusterConfig config() {
        SimEndpoints e = sim.endpoints();
        // The nodes' own addresses (Flocker names its agents by them); their SSH servers are on loopback, one port each.
        Map<String, String> nodes = new TreeMap<>(e.nodeAddresses());
        return new ClusterConfig(
                new ClusterConfig.Marathon(e.marathonUrl(), null, null, null),
                new ClusterConfig.Mesos(e.mesosUrl(), null),
                new ClusterConfig.Flocker(e.flockerUrl(), e.flockerCa().toString(), e.flockerCert().toString(),
                        e.flockerKey().toString()),
                new ClusterConfig.Registry(e.registryUrl()),
                null,
                new ClusterConfig.Weave(null, null, e.weaveUrls()),
                new ClusterConfig.Ssh(e.sshUser(), e.sshKey().toString(), e.sshKnownHosts().toString(), null, e.sshPorts()),
                nodes,
                null,
                true);
    }

    @Override
    public void close() {
        sim.close();
    }
}
