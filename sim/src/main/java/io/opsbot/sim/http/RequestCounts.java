package io.opsbot.sim.http;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Every request the emulated cluster's APIs answered, per service and HTTP method (the control API under
 * {@code /_sim/} is not counted): what a client cost the cluster. Reads are GET and HEAD; every other method is a
 * write attempt, accepted or not ({@code /_sim/writes} lists the accepted ones).
 */
public final class RequestCounts {

  /** What was counted, taken at one moment. */
  public record Snapshot(long total, long reads, long writes, Map<String, Map<String, Long>> byService) {}

  private final Map<String, Map<String, LongAdder>> counts = new ConcurrentHashMap<>();

  public void count(String service, String method) {
    counts.computeIfAbsent(service, s -> new ConcurrentHashMap<>())
        .computeIfAbsent(method, m -> new LongAdder()).increment();
  }

  public Snapshot snapshot() {
    long reads = 0;
    long writes = 0;
    Map<String, Map<String, Long>> out = new TreeMap<>();
    for (Map.Entry<String, Map<String, LongAdder>> service : counts.entrySet()) {
      Map<String, Long> methods = new TreeMap<>();
      for (Map.Entry<String, LongAdder> m : service.getValue().entrySet()) {
        long n = m.getValue().sum();
        methods.put(m.getKey(), n);
        if (isRead(m.getKey())) {
          reads += n;
        } else {
          writes += n;
        }
      }
      out.put(service.getKey(), methods);
    }
    return new Snapshot(reads + writes, reads, writes, out);
  }

  static boolean isRead(String method) {
    return "GET".equals(method) || "HEAD".equals(method);
  }
}
