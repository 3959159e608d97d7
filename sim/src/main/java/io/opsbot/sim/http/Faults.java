package io.opsbot.sim.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Injected failures, set through the control API: the next {@code count} requests of a service whose method and
 * path match answer with {@code status}, hang for {@code hangMillis} first, or (event stream) get dropped.
 */
public final class Faults {

  /** One armed fault; {@code remaining} counts down as requests hit it. */
  public static final class Fault {
    final String service;
    final String method;
    final String pathPrefix;
    int remaining;
    final int status;
    final long hangMillis;
    final boolean dropEventStream;

    public Fault(String service, String method, String pathPrefix, int count, int status, long hangMillis,
                 boolean dropEventStream) {
      this.service = service;
      this.method = method;
      this.pathPrefix = pathPrefix == null ? "/" : pathPrefix;
      this.remaining = Math.max(1, count);
      this.status = status;
      this.hangMillis = hangMillis;
      this.dropEventStream = dropEventStream;
    }

    public int status() {
      return status;
    }

    public long hangMillis() {
      return hangMillis;
    }

    public boolean dropEventStream() {
      return dropEventStream;
    }
  }

  private final List<Fault> armed = new ArrayList<>();

  public synchronized void arm(Fault fault) {
    armed.add(fault);
  }

  public synchronized void clear() {
    armed.clear();
  }

  /** Consumes one use of the first fault matching this request, if any. */
  public synchronized Optional<Fault> take(String service, String method, String path) {
    for (Fault f : armed) {
      boolean matches = f.service.equalsIgnoreCase(service)
          && (f.method == null || f.method.isEmpty() || f.method.equalsIgnoreCase(method))
          && path.startsWith(f.pathPrefix);
      if (matches) {
        if (--f.remaining <= 0) {
          armed.remove(f);
        }
        return Optional.of(f);
      }
    }
    return Optional.empty();
  }
}
