package io.opsbot.sim;

import java.time.Instant;

/**
 * Simulated time: epoch milliseconds that a ticker moves forward by {@code scale} simulated seconds per real second,
 * plus explicit jumps. Every timestamp the sim hands out comes from here.
 */
public final class SimClock {
  private long nowMillis;
  private double scale;

  public SimClock(long startMillis, double scale) {
    this.nowMillis = startMillis;
    this.scale = scale;
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

  /** Moves by real elapsed time multiplied by the scale; returns the simulated milliseconds added. */
  public synchronized long advanceReal(long realMillis) {
    long delta = Math.round(realMillis * scale);
    nowMillis += delta;
    return delta;
  }

  public synchronized void advance(long simMillis) {
    nowMillis += simMillis;
  }

  public synchronized void set(long millis) {
    nowMillis = millis;
  }
}
