package io.opsbot.sim;

import java.time.Instant;

/**
 * The emulated cluster's time: every timestamp the sim hands out (versions, events, tasks, log lines) comes from here.
 *
 * <p>It follows the wall clock and never goes back: {@link #follow} only moves it forward, so a restart that loads
 * an older saved time carries on from the later of the two. The time scale does not make the clock run fast (that
 * put versions and log lines minutes in the future, see issue 9); it shortens the durations of the cluster's own
 * changes instead — a task staging, a health check's grace period, a dataset moving — so a deployment still takes
 * seconds where a real cluster takes minutes. Only {@link #advance}, the control API's explicit jump used by
 * tests, moves it ahead of the wall clock, and then only until the wall clock catches up.
 */
public final class SimClock {
  /** The shortest a change of the cluster is made by the scale: about what a watcher needs to see each step. */
  static final long SHORTEST_CHANGE_MS = 250;

  private long nowMillis;
  private double scale;

  public SimClock(long startMillis, double scale) {
    this.nowMillis = startMillis;
    scale(scale);
  }

  public synchronized long millis() {
    return nowMillis;
  }

  public synchronized Instant instant() {
    return Instant.ofEpochMilli(nowMillis);
  }

  public synchronized double scale() {
    return scale;
  }

  public synchronized void scale(double newScale) {
    if (!(newScale > 0)) {
      throw new IllegalArgumentException("time scale must be > 0, got " + newScale);
    }
    this.scale = newScale;
  }

  /**
   * How long {@code clusterMillis} of a real cluster's work takes here: shortened by the scale, but not below
   * {@link #SHORTEST_CHANGE_MS} (a shorter one stays as it is), so every step of a change — a task staging, then
   * running, then healthy — still happens after the request that started it returned and can be watched.
   */
  public synchronized long scaled(long clusterMillis) {
    if (clusterMillis <= SHORTEST_CHANGE_MS) {
      return Math.max(0, clusterMillis);
    }
    return Math.max(SHORTEST_CHANGE_MS, Math.round(clusterMillis / scale));
  }

  /** The time at which {@code clusterMillis} of a real cluster's work, started now, is done. */
  public synchronized long after(long clusterMillis) {
    return nowMillis + scaled(clusterMillis);
  }

  /**
   * Moves with the wall clock: to {@code wallMillis} when that is later. When an explicit {@link #advance} (or a
   * state saved by an older version) put it ahead, it never goes back and never stands still either: it runs at
   * half speed ({@code realMillis / 2}) until the wall clock meets it.
   *
   * @param realMillis the real time since the last call
   */
  public synchronized void follow(long wallMillis, long realMillis) {
    if (nowMillis < wallMillis) {
      nowMillis = wallMillis;
    } else {
      nowMillis += Math.max(0, realMillis) / 2;
    }
  }

  /** An explicit jump forward (the control API's time advance). */
  public synchronized void advance(long millis) {
    if (millis > 0) {
      nowMillis += millis;
    }
  }

  /**
   * Sets the time, backwards too: only for seeding a fresh cluster, whose history is written as if it had run for
   * a while before now, and which then goes on from where it was.
   */
  public synchronized void set(long millis) {
    nowMillis = millis;
  }
}
