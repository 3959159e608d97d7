package io.opsbot.sim.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opsbot.sim.cluster.ClusterState.TaskState;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Chooses the agent for a new task the way Mesos offers and Marathon's constraint matching would. */
final class Placement {
  static final int PORT_FIRST = 31000;
  static final int PORT_LAST = 32000;

  record Offer(String node, List<Integer> ports) {}

  private final Topology topology;

  Placement(Topology topology) {
    this.topology = topology;
  }

  /** The best agent for one more task of the app, or null; counts why each agent was declined. */
  Offer place(ObjectNode app, ClusterState state, Map<String, Integer> rejections) {
    String appId = app.get("id").asText();
    double cpus = app.path("cpus").asDouble();
    double mem = app.path("mem").asDouble();
    double disk = app.path("disk").asDouble();
    int portCount = AppDefinitions.portCount(app);
    Offer best = null;
    double bestScore = Double.NEGATIVE_INFINITY;
    for (Topology.Node node : topology.agents()) {
      if (state.downAgents.contains(node.name())) {
        continue;
      }
      List<TaskState> here = state.tasks.stream().filter(t -> t.host.equals(node.name())).toList();
      double freeCpus = node.resources().cpus() - here.stream().mapToDouble(t -> t.cpus).sum();
      double freeMem = node.resources().mem() - here.stream().mapToDouble(t -> t.mem).sum();
      double freeDisk = node.resources().disk() - here.stream().mapToDouble(t -> t.disk).sum();
      String reason = freeCpus + 1e-9 < cpus ? "InsufficientCpus"
          : freeMem + 1e-9 < mem ? "InsufficientMemory"
          : freeDisk + 1e-9 < disk ? "InsufficientDisk" : null;
      if (reason == null && !constraintsMet(app, node.name(), state)) {
        reason = "UnfulfilledConstraint";
      }
      List<Integer> ports = reason == null ? freePorts(here, portCount) : null;
      if (reason == null && ports == null) {
        reason = "InsufficientPorts";
      }
      if (reason != null) {
        rejections.merge(reason, 1, Integer::sum);
        continue;
      }
      long sameApp = here.stream().filter(t -> t.appId.equals(appId)).count();
      double score = -sameApp * 100 + freeCpus;
      if (score > bestScore) {
        bestScore = score;
        best = new Offer(node.name(), ports);
      }
    }
    return best;
  }

  private static List<Integer> freePorts(List<TaskState> here, int count) {
    Set<Integer> used = new HashSet<>();
    here.forEach(t -> used.addAll(t.ports));
    List<Integer> out = new ArrayList<>();
    for (int p = PORT_FIRST; p <= PORT_LAST && out.size() < count; p++) {
      if (!used.contains(p)) {
        out.add(p);
      }
    }
    return out.size() == count ? out : null;
  }

  static boolean constraintsMet(ObjectNode app, String host, ClusterState state) {
    String appId = app.get("id").asText();
    for (JsonNode c : app.path("constraints")) {
      String field = c.get(0).asText();
      String op = c.get(1).asText();
      String value = c.size() > 2 ? c.get(2).asText() : null;
      // Only the hostname field exists on the emulated agents (no custom attributes).
      String actual = field.equals("hostname") || field.equals("@hostname") ? host : null;
      long onHost = state.tasks.stream().filter(t -> t.appId.equals(appId) && t.host.equals(host)).count();
      boolean ok = switch (op) {
        case "CLUSTER", "IS" -> value.equals(actual);
        case "UNIQUE" -> actual == null || onHost == 0;
        case "LIKE" -> actual != null && actual.matches(value);
        case "UNLIKE" -> actual == null || !actual.matches(value);
        case "MAX_PER" -> onHost < Long.parseLong(value);
        case "IN" -> actual != null && Arrays.asList(value.split(",")).contains(actual);
        default -> true; // GROUP_BY only spreads; the scoring already prefers hosts with fewer tasks of the app.
      };
      if (!ok) {
        return false;
      }
    }
    return true;
  }
}
