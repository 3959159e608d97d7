package io.opsbot.sim.cluster;

import java.util.ArrayList;
import java.util.List;

/**
 * Every change the emulated cluster accepted, in order: each Marathon write (it always stores a version and starts a
 * deployment) and each Flocker dataset move. The cluster's own record, which tests count against the bot's journal
 * ({@code GET /_sim/writes}); kept in memory, since {@link #COUNT_LIMIT} entries are plenty for any test run.
 */
public final class WriteLog {

  /** Oldest entries are dropped beyond this; {@link #total()} still counts them. */
  static final int COUNT_LIMIT = 100_000;

  /**
   * @param kind         "marathon" or "flocker"
   * @param target       the app id, or the dataset id
   * @param version      the Marathon version stored, or the dataset's new primary
   * @param deploymentId the deployment started, or null
   * @param steps        the deployment's actions (e.g. [[RestartApplication]]), or "move"
   * @param at           simulated time, ISO-8601
   */
  public record Write(long seq, String kind, String target, String version, String deploymentId, String steps, String at) {}

  private final List<Write> writes = new ArrayList<>();
  private long total;

  synchronized void add(String kind, String target, String version, String deploymentId, String steps, String at) {
    total++;
    writes.add(new Write(total, kind, target, version, deploymentId, steps, at));
    if (writes.size() > COUNT_LIMIT) {
      writes.remove(0);
    }
  }

  /** The writes after sequence number {@code after} (0: all kept). */
  public synchronized List<Write> since(long after) {
    return writes.stream().filter(w -> w.seq() > after).toList();
  }

  public synchronized long total() {
    return total;
  }
}
