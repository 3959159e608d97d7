package io.opsbot.sim.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small router for the JDK's HttpServer: routes are (method, path regex) → handler, tried in registration
 * order. Every answer carries {@code X-Opsbot-Sim: emulated}; injected faults are applied before routing.
 */
public final class Router implements HttpHandler {

  /** Answers one request. */
  @FunctionalInterface
  public interface Handler {
    Response handle(Request request) throws IOException;
  }

  /** Takes over the exchange (for long-lived streams); must send headers and close the exchange itself. */
  @FunctionalInterface
  public interface StreamHandler {
    void handle(Request request, HttpExchange exchange) throws IOException;
  }

  /** Hook that may fail a request instead of (or after) the route (an injected fault). */
  @FunctionalInterface
  public interface FaultHook {
    Optional<Injection> before(Request request, HttpExchange exchange);
  }

  /**
   * What an injected fault does to one request: {@code answer} it with this response, or with null close the
   * connection without one; {@code afterHandling}: only once the route has handled it (its effect stays, its answer is
   * lost).
   */
  public record Injection(Response answer, boolean afterHandling) {
    public static Injection answer(Response response) {
      return new Injection(response, false);
    }

    public static Injection drop() {
      return new Injection(null, false);
    }
  }

  private record Route(String method, Pattern pattern, Handler handler, StreamHandler stream) {}

  private static final Logger log = LoggerFactory.getLogger(Router.class);
  public static final String SIM_HEADER = "X-Opsbot-Sim";

  private final String service;
  private final Map<String, List<Route>> routesByMethod = new LinkedHashMap<>();
  private final List<Route> allRoutes = new ArrayList<>();
  private final Map<String, String> fixedHeaders = new LinkedHashMap<>();
  private FaultHook faultHook = (r, e) -> Optional.empty();
  private Handler notFound = r -> Response.json(404, Map.of("message", "not found: " + r.path()));

  public Router(String service) {
    this.service = service;
  }

  public String service() {
    return service;
  }

  public Router on(String method, String pathRegex, Handler handler) {
    add(new Route(method, Pattern.compile(pathRegex), handler, null));
    return this;
  }

  public Router stream(String method, String pathRegex, StreamHandler handler) {
    add(new Route(method, Pattern.compile(pathRegex), null, handler));
    return this;
  }

  /** A header every answer of this service carries. */
  public Router header(String name, String value) {
    fixedHeaders.put(name, value);
    return this;
  }

  public Router faults(FaultHook hook) {
    this.faultHook = hook;
    return this;
  }

  public Router notFound(Handler handler) {
    this.notFound = handler;
    return this;
  }

  private void add(Route route) {
    routesByMethod.computeIfAbsent(route.method(), m -> new ArrayList<>()).add(route);
    allRoutes.add(route);
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      route(exchange);
    }
  }

  private void route(HttpExchange exchange) {
    try {
      exchange.getResponseHeaders().set(SIM_HEADER, "emulated");
      fixedHeaders.forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
      String method = exchange.getRequestMethod();
      String path = exchange.getRequestURI().getPath();
      byte[] body = exchange.getRequestBody().readAllBytes();
      Request base = new Request(method, path, List.of(), Request.parseQuery(exchange.getRequestURI().getRawQuery()),
          exchange.getRequestHeaders(), body, exchange.getRemoteAddress().getAddress().getHostAddress());
      Optional<Injection> injected = faultHook.before(base, exchange);
      if (injected.isPresent() && !injected.get().afterHandling()) {
        deliver(exchange, method, injected.get());
        return;
      }
      String lookupMethod = "HEAD".equals(method) && !routesByMethod.containsKey("HEAD") ? "GET" : method;
      for (Route route : routesByMethod.getOrDefault(lookupMethod, List.of())) {
        Matcher m = route.pattern().matcher(path);
        if (m.matches()) {
          List<String> groups = new ArrayList<>();
          for (int i = 1; i <= m.groupCount(); i++) {
            groups.add(m.group(i));
          }
          Request request = new Request(method, path, groups, base.query(), base.headers(), body, base.remoteAddress());
          if (route.stream() != null) {
            route.stream().handle(request, exchange);
            return;
          }
          if (injected.isPresent()) {
            // the route's effect stays; its answer (or error) is replaced by the fault's
            try {
              route.handler().handle(request);
            } catch (ApiError refused) {
              log.debug("service={} handled before a lost answer: {}", service, refused.status());
            }
            deliver(exchange, method, injected.get());
            return;
          }
          send(exchange, method, route.handler().handle(request));
          return;
        }
      }
      boolean otherMethod = allRoutes.stream().anyMatch(r -> r.pattern().matcher(path).matches());
      send(exchange, method, otherMethod
          ? Response.json(405, Map.of("message", "HTTP " + method + " is not allowed on " + path))
          : notFound.handle(base));
    } catch (ApiError e) {
      try {
        send(exchange, exchange.getRequestMethod(), Response.json(e.status(), e.body()));
      } catch (IOException io) {
        log.debug("service={} could not send error: {}", service, io.toString());
      }
    } catch (IOException e) {
      log.debug("service={} request failed: {}", service, e.toString());
    } catch (RuntimeException e) {
      log.warn("service={} handler failed", service, e);
      try {
        send(exchange, exchange.getRequestMethod(), Response.json(500, Map.of("message", String.valueOf(e))));
      } catch (IOException | RuntimeException ignored) {
        // The response may already be under way; nothing more to tell the client.
      }
    }
  }

  /** An injected answer, or none: the exchange is closed before any header went out, which closes the connection. */
  private void deliver(HttpExchange exchange, String method, Injection injection) throws IOException {
    if (injection.answer() == null) {
      log.debug("service={} fault: connection closed without an answer", service);
      return;
    }
    send(exchange, method, injection.answer());
  }

  static void send(HttpExchange exchange, String method, Response response) throws IOException {
    response.headers().forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
    byte[] body = response.body();
    if ("HEAD".equals(method) || body == null) {
      if (body != null && !exchange.getResponseHeaders().containsKey("Content-Length")) {
        exchange.getResponseHeaders().set("Content-Length", Integer.toString(body.length));
      }
      exchange.sendResponseHeaders(response.status(), -1);
      return;
    }
    exchange.sendResponseHeaders(response.status(), body.length == 0 ? -1 : body.length);
    if (body.length > 0) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }
}
