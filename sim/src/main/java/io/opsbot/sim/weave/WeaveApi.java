package io.opsbot.sim.weave;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opsbot.sim.Json;
import io.opsbot.sim.cluster.ClusterModel;
import io.opsbot.sim.cluster.ClusterState;
import io.opsbot.sim.cluster.ClusterState.TaskState;
import io.opsbot.sim.cluster.Topology;
import io.opsbot.sim.http.Response;
import io.opsbot.sim.http.Router;
import java.util.ArrayList;
import java.util.List;

/** One node's Weave Net router HTTP API; DNS entries follow the running tasks of every app. */
public final class WeaveApi {
  static final String VERSION = "2.8.1";
  static final String DOMAIN = "weave.local.";

  private final ClusterModel model;
  private final String node;

  public WeaveApi(ClusterModel model, String node) {
    this.model = model;
    this.node = node;
  }

  public void register(Router router) {
    router.on("GET", "/report/?", r -> Response.json(200, model.read(this::report)))
        .on("GET", "/status/?", r -> Response.text(200, model.read(this::status)))
        .on("GET", "/status/peers/?", r -> Response.text(200, model.read(this::peers)))
        .on("GET", "/status/connections/?", r -> Response.text(200, model.read(this::connections)))
        .on("GET", "/status/dns/?", r -> Response.text(200, model.read(this::dnsText)))
        .on("GET", "/status/ipam/?", r -> Response.text(200, model.read(this::ipam)))
        .on("GET", "/name/?", r -> Response.json(200, model.read(this::names)));
  }

  /** The text a path answers, for the SSH curl proxy; null for paths outside the fixed set. */
  public Response answer(String path) {
    return switch (path) {
      case "report" -> Response.json(200, model.read(this::report));
      case "status" -> Response.text(200, model.read(this::status));
      case "status/peers" -> Response.text(200, model.read(this::peers));
      case "status/dns" -> Response.text(200, model.read(this::dnsText));
      case "name" -> Response.json(200, model.read(this::names));
      default -> null;
    };
  }

  private record Entry(String hostname, String address, String containerId, String origin) {}

  private List<Entry> entries(ClusterState s) {
    List<Entry> out = new ArrayList<>();
    for (TaskState t : s.tasks) {
      if (t.state.equals("TASK_RUNNING")) {
        String name = t.appId.substring(1).replace('/', '.');
        out.add(new Entry(name + "." + DOMAIN, t.ipAddress, t.containerId, s.weavePeerNames.get(t.host)));
      }
    }
    return out;
  }

  private List<Topology.Node> others() {
    return model.topology().nodes().stream().filter(n -> !n.name().equals(node)).toList();
  }

  private ObjectNode report(ClusterState s) {
    ObjectNode r = Json.object().put("Ready", true).put("Version", VERSION).put("VersionCheck", (String) null);
    ObjectNode router = r.putObject("Router").put("Protocol", "weave").put("ProtocolMinVersion", 1)
        .put("ProtocolMaxVersion", 2).put("Encryption", false).put("PeerDiscovery", true)
        .put("Name", s.weavePeerNames.get(node)).put("NickName", node).put("Port", 6783);
    ArrayNode peers = router.putArray("Peers");
    for (Topology.Node n : model.topology().nodes()) {
      ObjectNode p = peers.addObject().put("Name", s.weavePeerNames.get(n.name())).put("NickName", n.name())
          .put("UID", Math.abs((long) n.name().hashCode() * 2654435761L)).put("ShortID", n.name().hashCode() & 0xfff)
          .put("Version", 8);
      ArrayNode conns = p.putArray("Connections");
      for (Topology.Node o : model.topology().nodes()) {
        if (!o.name().equals(n.name())) {
          conns.addObject().put("Name", s.weavePeerNames.get(o.name())).put("NickName", o.name())
              .put("Address", o.address() + ":6783").put("Outbound", n.name().compareTo(o.name()) < 0)
              .put("Established", true);
        }
      }
    }
    ArrayNode conns = router.putArray("Connections");
    for (Topology.Node o : others()) {
      conns.addObject().put("Address", o.address() + ":6783").put("Outbound", node.compareTo(o.name()) < 0)
          .put("State", "established").put("Info", "sleeve " + s.weavePeerNames.get(o.name()) + "(" + o.name() + ")")
          .putObject("Attrs").put("name", "sleeve");
    }
    ArrayNode targets = router.putArray("Targets");
    others().forEach(o -> targets.add(o.address()));
    router.putArray("TrustedSubnets");
    ObjectNode ipam = r.putObject("IPAM").put("Paxos", (String) null).put("Range", "10.32.0.0/12")
        .put("DefaultSubnet", "10.32.0.0/12");
    ipam.putArray("Entries");
    ipam.putArray("PendingClaims");
    ipam.putArray("PendingAllocates");
    ObjectNode dns = r.putObject("DNS").put("Domain", DOMAIN).put("Address", "172.17.0.1:53")
        .put("TTL", 1);
    dns.putArray("Upstream").add("10.0.2.3");
    ArrayNode entries = dns.putArray("Entries");
    for (Entry e : entries(s)) {
      entries.addObject().put("Hostname", e.hostname()).put("Origin", e.origin()).put("ContainerID", e.containerId())
          .put("Address", e.address()).put("Version", 0).put("Tombstone", 0);
    }
    return r;
  }

  private String status(ClusterState s) {
    int established = others().size();
    int peerCount = model.topology().nodes().size();
    return String.format("""

                Version: %s (up to date; next check at 2030/01/01 00:00:00)

                Service: router
               Protocol: weave 1..2
                   Name: %s(%s)
             Encryption: disabled
          PeerDiscovery: enabled
                Targets: %d
            Connections: %d (%d established)
                  Peers: %d (with %d established connections)
         TrustedSubnets: none

                Service: ipam
                 Status: ready
                  Range: 10.32.0.0/12
          DefaultSubnet: 10.32.0.0/12

                Service: dns
                 Domain: %s
               Upstream: 10.0.2.3
                    TTL: 1
                Entries: %d

        """, VERSION, s.weavePeerNames.get(node), node, established, established, established, peerCount,
        peerCount * (peerCount - 1), DOMAIN, entries(s).size());
  }

  private String peers(ClusterState s) {
    StringBuilder sb = new StringBuilder();
    for (Topology.Node n : model.topology().nodes()) {
      sb.append(s.weavePeerNames.get(n.name())).append('(').append(n.name()).append(")\n");
      for (Topology.Node o : model.topology().nodes()) {
        if (!o.name().equals(n.name())) {
          boolean out = n.name().compareTo(o.name()) < 0;
          sb.append(String.format("   %s %-21s %s(%s)%26s%n", out ? "->" : "<-", o.address() + ":6783",
              s.weavePeerNames.get(o.name()), o.name(), "established"));
        }
      }
    }
    return sb.toString();
  }

  private String connections(ClusterState s) {
    StringBuilder sb = new StringBuilder();
    for (Topology.Node o : others()) {
      sb.append(String.format("%s %-21s established sleeve %s(%s) mtu=1376%n", node.compareTo(o.name()) < 0 ? "->" : "<-",
          o.address() + ":6783", s.weavePeerNames.get(o.name()), o.name()));
    }
    return sb.toString();
  }

  private String dnsText(ClusterState s) {
    StringBuilder sb = new StringBuilder();
    for (Entry e : entries(s)) {
      sb.append(String.format("%-15s %-15s %-12s %s%n", e.hostname().replace("." + DOMAIN, ""), e.address(),
          e.containerId().substring(0, 12), e.origin()));
    }
    return sb.toString();
  }

  private String ipam(ClusterState s) {
    StringBuilder sb = new StringBuilder();
    int share = 100 / Math.max(1, model.topology().nodes().size());
    for (Topology.Node n : model.topology().nodes()) {
      sb.append(String.format("%s(%s)  %8d IPs (%02d.0%% of total) (%d active)%n", s.weavePeerNames.get(n.name()),
          n.name(), 1048576 / model.topology().nodes().size(), share,
          s.tasks.stream().filter(t -> t.host.equals(n.name())).count()));
    }
    return sb.toString();
  }

  private ArrayNode names(ClusterState s) {
    ArrayNode out = Json.array();
    for (Entry e : entries(s)) {
      out.addObject().put("Hostname", e.hostname()).put("Origin", e.origin()).put("ContainerID", e.containerId())
          .put("Address", e.address()).put("Version", 0).put("Tombstone", 0);
    }
    return out;
  }
}
