package io.opsbot.sim.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opsbot.sim.cluster.ClusterState.TaskState;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Judges each active agent's offer for one more task of an app the way Marathon's offer matcher does (resources,
 * ports, constraints), and picks the agent for the task.
 */
final class Placement {
  static final int PORT_FIRST = 31000;
  static final int PORT_LAST = 32000;

  record Offer(String node, List<Integer> ports) {}

  /**
   * One agent's offer judged for one task: what it has free, and every reason it cannot take the task (empty when
   * it can), in the order of Marathon's reason funnel.
   */
  record Verdict(String node, double freeCpus, double freeMem, double freeDisk, Set<Integer> usedPorts,
                 List<String> reasons, List<Integer> ports, double score) {
    boolean fits() {
      return reasons.isEmpty();
    }
  }

  private final Topology topology;

  Placement(Topology topology) {
    this.topology = topology;
  }

  /** The offer of every agent that is up, judged for one more task of the app. */
  List<Verdict> evaluate(ObjectNode app, ClusterState state) {
    String appId = app.get("id").asText();
    double cpus = app.path("cpus").asDouble();
    double mem = app.path("mem").asDouble();
    double disk = app.path("disk").asDouble();
    List<Integer> wanted = AppDefinitions.requestedHostPorts(app);
    List<Verdict> out = new ArrayList<>();
    List<Topology.Node> agents = new ArrayList<>(topology.agents());
    agents.addAll(state.extraAgents);
    for (Topology.Node node : agents) {
      if (state.downAgents.contains(node.name())) {
        continue; // an agent that is gone makes no offers
      }
      List<TaskState> here = state.tasks.stream().filter(t -> t.host.equals(node.name())).toList();
      double freeCpus = node.resources().cpus() - here.stream().mapToDouble(t -> t.cpus).sum();
      double freeMem = node.resources().mem() - here.stream().mapToDouble(t -> t.mem).sum();
      double freeDisk = node.resources().disk() - here.stream().mapToDouble(t -> t.disk).sum();
      Set<Integer> used = new HashSet<>();
      here.forEach(t -> used.addAll(t.ports));
      List<String> reasons = new ArrayList<>();
      if (!constraintsMet(app, node.name(), state)) {
        reasons.add("UnfulfilledConstraint");
      }
      if (freeCpus + 1e-9 < cpus) {
        reasons.add("InsufficientCpus");
      }
      if (freeMem + 1e-9 < mem) {
        reasons.add("InsufficientMemory");
      }
      if (freeDisk + 1e-9 < disk) {
        reasons.add("InsufficientDisk");
      }
      List<Integer> ports = freePorts(used, wanted);
      if (ports == null) {
        reasons.add("InsufficientPorts");
      }
      long sameApp = here.stream().filter(t -> t.appId.equals(appId)).count();
      out.add(new Verdict(node.name(), freeCpus, freeMem, freeDisk, Set.copyOf(used), List.copyOf(reasons),
          ports == null ? List.of() : ports, -sameApp * 100 + freeCpus));
    }
    return out;
  }

  /** The best agent among the offers that fit (fewest tasks of the app, then most free CPU), or null. */
  static Offer choose(List<Verdict> verdicts) {
    return verdicts.stream().filter(Verdict::fits).max(Comparator.comparingDouble(Verdict::score))
        .map(v -> new Offer(v.node(), v.ports())).orElse(null);
  }

  /** Host ports for the task: fixed ones as asked, 0 means any free port of the agent's range. */
  private static List<Integer> freePorts(Set<Integer> used, List<Integer> wanted) {
    List<Integer> out = new ArrayList<>();
    Set<Integer> taken = new HashSet<>(used);
    for (int w : wanted) {
      if (w > 0) {
        if (taken.contains(w)) {
          return null;
        }
        taken.add(w);
      }
    }
    int next = PORT_FIRST;
    for (int w : wanted) {
      if (w > 0) {
        out.add(w);
        continue;
      }
      while (next <= PORT_LAST && taken.contains(next)) {
        next++;
      }
      if (next > PORT_LAST) {
        return null;
      }
      taken.add(next);
      out.add(next);
    }
    return out;
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
