package io.opsbot.sim.cluster;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opsbot.sim.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;

/**
 * One app's launch attempt as Marathon's launch queue keeps it: since when instances wait, how many offers were
 * processed and left unused, and why (Marathon 1.4+ {@code processedOffersSummary} and {@code lastUnusedOffers}).
 * Every agent that is up makes one offer per round; rounds come once per {@link #OFFER_INTERVAL_MS} of simulated
 * time, as Mesos' allocator does. Public fields: persisted with the rest of the {@link ClusterState}.
 */
public final class LaunchAttempt {
  /** Mesos' default allocation interval: how often each agent's resources are offered again. */
  static final long OFFER_INTERVAL_MS = 1_000;
  /**
   * Marathon's NoOfferMatchReason.reasonFunnel: an unused offer counts once, under the first of its reasons in
   * this order.
   */
  public static final List<String> FUNNEL = List.of("UnfulfilledRole", "UnfulfilledConstraint",
      "NoCorrespondingReservationFound", "AgentMaintenance", "InsufficientCpus", "InsufficientMemory",
      "InsufficientDisk", "InsufficientGpus", "InsufficientPorts", "DeclinedScarceResources");

  /** An offer that could not be used: the agent, what it had free and every reason. */
  public static final class UnusedOffer {
    public String offerId;
    public String agentId;
    public String hostname;
    public double cpus;
    public double mem;
    public double disk;
    public List<Integer> usedPorts = new ArrayList<>();
    public List<String> reasons = new ArrayList<>();
    public long at;
  }

  public long since;
  public long nextRoundAt;
  public int processedOffers;
  public int unusedOffers;
  public Long lastUnusedAt;
  public Long lastUsedAt;
  public Map<String, Integer> declinedThisAttempt = new TreeMap<>();
  /** The last unused offer of each agent (an agent whose offer was used since is removed). */
  public Map<String, UnusedOffer> lastUnusedByAgent = new TreeMap<>();

  static LaunchAttempt startingAt(long now) {
    LaunchAttempt a = new LaunchAttempt();
    a.since = now;
    return a;
  }

  /** One offer round: every verdict is an agent's offer; those on {@code usedAgents} took a task. */
  void round(long now, List<Placement.Verdict> verdicts, Set<String> usedAgents, Map<String, String> agentIds) {
    nextRoundAt = now + OFFER_INTERVAL_MS;
    for (Placement.Verdict v : verdicts) {
      processedOffers++;
      if (usedAgents.contains(v.node())) {
        lastUsedAt = now;
        lastUnusedByAgent.remove(v.node());
        continue;
      }
      if (v.fits()) {
        lastUnusedByAgent.remove(v.node()); // could have taken a task: nothing was left to launch this round
        continue;
      }
      unusedOffers++;
      lastUnusedAt = now;
      declinedThisAttempt.merge(v.reasons().get(0), 1, Integer::sum);
      UnusedOffer u = new UnusedOffer();
      u.offerId = UUID.randomUUID() + "-O" + processedOffers;
      u.agentId = agentIds.get(v.node());
      u.hostname = v.node();
      u.cpus = Math.max(0, v.freeCpus());
      u.mem = Math.max(0, v.freeMem());
      u.disk = Math.max(0, v.freeDisk());
      u.usedPorts = new ArrayList<>(new TreeSet<>(v.usedPorts()));
      u.reasons = new ArrayList<>(v.reasons());
      u.at = now;
      lastUnusedByAgent.put(v.node(), u);
    }
  }

  /** {@code processedOffersSummary} in Marathon's shape. */
  public ObjectNode summary() {
    ObjectNode o = Json.object().put("processedOffersCount", processedOffers).put("unusedOffersCount", unusedOffers);
    if (lastUnusedAt != null) {
      o.put("lastUnusedOfferAt", ClusterModel.iso(lastUnusedAt));
    }
    if (lastUsedAt != null) {
      o.put("lastUsedOfferAt", ClusterModel.iso(lastUsedAt));
    }
    Map<String, Integer> lastOffers = new TreeMap<>();
    lastUnusedByAgent.values().forEach(u -> lastOffers.merge(u.reasons.get(0), 1, Integer::sum));
    o.set("rejectSummaryLastOffers", funnel(lastUnusedByAgent.size(), lastOffers));
    o.set("rejectSummaryLaunchAttempt", funnel(processedOffers, declinedThisAttempt));
    return o;
  }

  /**
   * Each reason of the funnel with the offers it declined and the offers that reached it (those processed minus the
   * ones declined by an earlier reason), as Marathon's QueueInfoConversion reports them.
   */
  private static ArrayNode funnel(int processed, Map<String, Integer> declined) {
    ArrayNode out = Json.array();
    int left = processed;
    for (String reason : FUNNEL) {
      int n = declined.getOrDefault(reason, 0);
      out.addObject().put("reason", reason).put("declined", n).put("processed", left);
      left -= n;
    }
    return out;
  }

  /** {@code lastUnusedOffers}: each agent's last unused offer with its resources as Mesos offered them. */
  public ArrayNode lastUnusedOffers() {
    ArrayNode out = Json.array();
    for (UnusedOffer u : lastUnusedByAgent.values()) {
      ObjectNode e = out.addObject();
      ObjectNode offer = e.putObject("offer").put("id", u.offerId).put("agentId", u.agentId).put("hostname", u.hostname);
      ArrayNode resources = offer.putArray("resources");
      resources.addObject().put("name", "cpus").put("role", "*").put("scalar", u.cpus);
      resources.addObject().put("name", "mem").put("role", "*").put("scalar", u.mem);
      resources.addObject().put("name", "disk").put("role", "*").put("scalar", u.disk);
      ArrayNode ranges = resources.addObject().put("name", "ports").put("role", "*").putArray("ranges");
      freeRanges(u.usedPorts).forEach(r -> ranges.addObject().put("begin", r[0]).put("end", r[1]));
      offer.putArray("attributes");
      ArrayNode reasons = e.putArray("reason");
      u.reasons.forEach(reasons::add);
      e.put("timestamp", ClusterModel.iso(u.at));
    }
    return out;
  }

  private static List<int[]> freeRanges(List<Integer> used) {
    List<int[]> out = new ArrayList<>();
    int start = Placement.PORT_FIRST;
    for (int p : used) {
      if (p < start || p > Placement.PORT_LAST) {
        continue;
      }
      if (p > start) {
        out.add(new int[] {start, p - 1});
      }
      start = p + 1;
    }
    if (start <= Placement.PORT_LAST) {
      out.add(new int[] {start, Placement.PORT_LAST});
    }
    return out;
  }
}
