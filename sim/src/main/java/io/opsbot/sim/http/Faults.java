package io.opsbot.sim.http;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

/**
 * Injected failures, armed through the control API ({@code POST /_sim/faults}): the next {@code count} requests of a
 * service whose method and path match fail in the way the fault's {@link Kind} says, in the {@link Phase} it names.
 * Every fault that fires is counted per service and kind ({@link #injected()}), for the life of the sim.
 */
public final class Faults {

  /** How a matching request fails. */
  public enum Kind {
    /** Answered with {@code status} (e.g. 503) instead of being handled. */
    STATUS,
    /** Answered after {@code hangMillis}: handled then (or answered {@code status} when one is given). */
    SLOW,
    /** Held for {@code hangMillis}, then the connection is closed without an answer; never handled. */
    HANG,
    /** The connection is closed at once without an answer; never handled. */
    DROP,
    /** Handled (a write takes effect), then the answer is lost: {@code status} instead (0: the connection closes). */
    LOSE_ANSWER,
    /** SSH only: the public-key login is refused. */
    REFUSE_LOGIN,
    /**
     * Answered {@code status} (200 when none is given) with a body that is not what the API sends: JSON cut off in
     * the middle, as a proxy that truncates, a half-written file or a different service behind the port would give.
     * Never handled.
     */
    MALFORMED;

    /** "lose-answer" → LOSE_ANSWER; null when there is no such kind. */
    public static Kind parse(String text) {
      try {
        return valueOf(text.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
      } catch (IllegalArgumentException e) {
        return null;
      }
    }

    public String wire() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  /**
   * When, in an operation that reads then writes then waits, a fault may fire. The sim knows the phases by its own
   * record of writes ({@code GET /_sim/writes}): a write is a Marathon version stored or a Flocker move.
   */
  public enum Phase {
    /** Any request. */
    ANY,
    /** Only until the cluster accepts its next write after the fault was armed: the reads that plan a change. */
    PLAN,
    /** Only requests that may change state (POST, PUT, PATCH, DELETE): the write itself. */
    APPLY,
    /** Only once the cluster has accepted a write after the fault was armed: the reads that watch it happen. */
    VERIFY;

    public static Phase parse(String text) {
      try {
        return valueOf(text.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        return null;
      }
    }
  }

  private static final Set<String> WRITING = Set.of("POST", "PUT", "PATCH", "DELETE");

  /** One armed fault; {@code remaining} counts down as requests hit it. */
  public static final class Fault {
    final long id;
    final String service;
    final String method;
    final String pathPrefix;
    final Pattern pathPattern;
    final Kind kind;
    final Phase phase;
    final int status;
    final long hangMillis;
    final long writesWhenArmed;
    int remaining;

    Fault(long id, Spec spec, long writesWhenArmed) {
      this.id = id;
      this.service = spec.service();
      this.method = spec.method() == null || spec.method().isBlank() ? null : spec.method();
      this.pathPrefix = spec.pathPrefix() == null ? "/" : spec.pathPrefix();
      this.pathPattern = spec.pathPattern() == null ? null : Pattern.compile(spec.pathPattern());
      this.kind = spec.kind();
      this.phase = spec.phase() == null ? Phase.ANY : spec.phase();
      this.status = spec.status();
      this.hangMillis = spec.hangMillis();
      this.remaining = Math.max(1, spec.count());
      this.writesWhenArmed = writesWhenArmed;
    }

    public Kind kind() {
      return kind;
    }

    public int status() {
      return status;
    }

    public long hangMillis() {
      return hangMillis;
    }

    boolean matches(String service, String method, String path, long writesNow) {
      if (!this.service.equalsIgnoreCase(service)) {
        return false;
      }
      if (this.method != null && !this.method.equalsIgnoreCase(method)) {
        return false;
      }
      if (!path.startsWith(pathPrefix) || (pathPattern != null && !pathPattern.matcher(path).find())) {
        return false;
      }
      return switch (phase) {
        case ANY -> true;
        case PLAN -> writesNow == writesWhenArmed;
        case APPLY -> WRITING.contains(method.toUpperCase(Locale.ROOT));
        case VERIFY -> writesNow > writesWhenArmed;
      };
    }

    Map<String, Object> describe() {
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("id", id);
      out.put("service", service);
      if (method != null) {
        out.put("method", method);
      }
      out.put("pathPrefix", pathPrefix);
      if (pathPattern != null) {
        out.put("pathPattern", pathPattern.pattern());
      }
      out.put("kind", kind.wire());
      out.put("phase", phase.name().toLowerCase(Locale.ROOT));
      if (status > 0) {
        out.put("status", status);
      }
      if (hangMillis > 0) {
        out.put("hangMillis", hangMillis);
      }
      out.put("remaining", remaining);
      return out;
    }
  }

  /** What {@code POST /_sim/faults} asks for, already checked. */
  public record Spec(String service, String method, String pathPrefix, String pathPattern, Kind kind, Phase phase,
                     int status, long hangMillis, int count) {}

  private final LongSupplier writes;
  private final List<Fault> armed = new ArrayList<>();
  private final Map<String, Map<String, Long>> injected = new TreeMap<>();
  private long nextId = 1;
  private long total;

  /** @param writes how many writes the cluster has accepted so far (its write log's total): the phases' clock */
  public Faults(LongSupplier writes) {
    this.writes = writes;
  }

  /** Arms a fault; answers its id. */
  public synchronized long arm(Spec spec) {
    Fault fault = new Fault(nextId++, spec, writes.getAsLong());
    armed.add(fault);
    return fault.id;
  }

  /** Disarms every fault; the counts of those that fired stay. */
  public synchronized void clear() {
    armed.clear();
  }

  /** Consumes one use of the first armed fault matching this request, if any, and counts it as injected. */
  public synchronized Optional<Fault> take(String service, String method, String path) {
    long writesNow = writes.getAsLong();
    for (Fault f : armed) {
      if (f.matches(service, method, path, writesNow)) {
        if (--f.remaining <= 0) {
          armed.remove(f);
        }
        injected.computeIfAbsent(f.service.toLowerCase(Locale.ROOT), s -> new TreeMap<>()).merge(f.kind.wire(), 1L, Long::sum);
        total++;
        return Optional.of(f);
      }
    }
    return Optional.empty();
  }

  /** Counts a fault that fired outside {@link #take} (an event stream dropped). */
  public synchronized void count(String service, Kind kindOrNull, String kindName, int times) {
    String kind = kindOrNull == null ? kindName : kindOrNull.wire();
    injected.computeIfAbsent(service, s -> new TreeMap<>()).merge(kind, (long) times, Long::sum);
    total += times;
  }

  /** For {@code GET /_sim/faults}: the armed faults and how many fired, per service and kind. */
  public synchronized Map<String, Object> describe() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("armed", armed.stream().map(Fault::describe).toList());
    Map<String, Object> counts = new TreeMap<>();
    injected.forEach((service, kinds) -> counts.put(service, new TreeMap<>(kinds)));
    out.put("injected", counts);
    out.put("total", total);
    return out;
  }

  /** How many faults have fired in all. */
  public synchronized long total() {
    return total;
  }
}
