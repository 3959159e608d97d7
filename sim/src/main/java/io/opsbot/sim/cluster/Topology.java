package io.opsbot.sim.cluster;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The emulated cluster's shape: nodes with roles and resources, the registry host, the apps Marathon runs at the
 * start (plain Marathon app definitions) and the Flocker datasets. Read from YAML or JSON.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Topology(List<Node> nodes, String registry, List<ObjectNode> apps, List<Dataset> datasets) {

  /** Role names understood in {@code roles}. */
  public static final Set<String> ROLES = Set.of("zookeeper", "mesos-master", "marathon", "registry",
      "central-log", "flocker-control", "mesos-agent");

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Node(String name, String address, List<String> roles, Resources resources) {
    public boolean has(String role) {
      return roles != null && roles.contains(role);
    }

    public boolean isAgent() {
      return has("mesos-agent");
    }

    /** The systemd units this node runs, for journalctl. */
    public Set<String> units() {
      Set<String> units = new LinkedHashSet<>();
      if (has("zookeeper")) {
        units.add("zookeeper");
      }
      if (has("mesos-master")) {
        units.add("mesos-master");
      }
      if (has("marathon")) {
        units.add("marathon");
      }
      if (has("flocker-control")) {
        units.add("flocker-control");
      }
      if (has("central-log")) {
        units.add("rsyslog");
      }
      units.add("docker");
      units.add("weave");
      if (isAgent()) {
        units.add("mesos-slave");
        units.add("flocker-dataset-agent");
        units.add("flocker-container-agent");
      }
      return units;
    }
  }

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Resources(double cpus, double mem, double disk) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Dataset(String name, String node, double sizeGiB) {}

  public Topology {
    nodes = List.copyOf(nodes == null ? List.of() : nodes);
    apps = List.copyOf(apps == null ? List.of() : apps);
    datasets = List.copyOf(datasets == null ? List.of() : datasets);
    registry = registry == null ? "node1:5000" : registry;
    List<String> problems = new ArrayList<>();
    if (nodes.isEmpty()) {
      problems.add("no nodes");
    }
    for (Node n : nodes) {
      if (n.name() == null || n.address() == null) {
        problems.add("a node needs name and address");
      }
      if (n.roles() != null) {
        n.roles().stream().filter(r -> !ROLES.contains(r))
            .forEach(r -> problems.add("node " + n.name() + ": unknown role '" + r + "'; known: " + ROLES));
      }
      if (n.isAgent() && n.resources() == null) {
        problems.add("agent " + n.name() + " needs resources");
      }
    }
    for (Dataset d : datasets) {
      if (nodes.stream().noneMatch(n -> n.name().equals(d.node()))) {
        problems.add("dataset " + d.name() + ": unknown node '" + d.node() + "'");
      }
    }
    if (nodes.stream().noneMatch(n -> n.has("central-log"))) {
      problems.add("no node has the central-log role");
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("invalid topology: " + String.join("; ", problems));
    }
  }

  public Node node(String name) {
    return nodes.stream().filter(n -> n.name().equals(name)).findFirst().orElse(null);
  }

  public List<Node> agents() {
    return nodes.stream().filter(Node::isAgent).toList();
  }

  /** The node holding a role (first one), e.g. where the central log lives. */
  public Node nodeWith(String role) {
    return nodes.stream().filter(n -> n.has(role)).findFirst().orElse(nodes.get(0));
  }

  public static Topology load(Path file) {
    try (InputStream in = file == null
        ? Topology.class.getResourceAsStream("/default-topology.yaml")
        : Files.newInputStream(file)) {
      if (in == null) {
        throw new IllegalStateException("default-topology.yaml missing from the classpath");
      }
      return new ObjectMapper(new YAMLFactory()).readValue(in, Topology.class);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read topology " + (file == null ? "(default)" : file), e);
    }
  }

  /** Node name → address, as handed to clients. */
  public Map<String, String> addresses() {
    Map<String, String> out = new java.util.LinkedHashMap<>();
    nodes.forEach(n -> out.put(n.name(), n.address()));
    return out;
  }
}
