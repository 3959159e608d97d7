package io.opsbot.sim.marathon;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opsbot.sim.Json;
import io.opsbot.sim.cluster.ClusterModel;
import io.opsbot.sim.http.ApiError;
import io.opsbot.sim.http.Request;
import io.opsbot.sim.http.Response;
import io.opsbot.sim.http.Router;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Marathon's http_callback event subscribers ({@code /v2/eventSubscriptions}): every event of the bus is POSTed as
 * JSON to each registered callback URL, in order, one delivery at a time; a subscriber that fails or is slow loses
 * that event (Marathon retries a few times and then drops it too). Subscribers are kept with the cluster state.
 */
final class EventSubscriptions implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EventSubscriptions.class);
  /** Events waiting for delivery; beyond this, new ones are dropped (a subscriber must not make the sim grow). */
  private static final int BACKLOG = 10_000;
  /** How long one POST to a subscriber may take. */
  private static final Duration DELIVERY_TIMEOUT = Duration.ofSeconds(5);

  private final ClusterModel model;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final ThreadPoolExecutor sender = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
      new ArrayBlockingQueue<>(BACKLOG), r -> {
        Thread t = new Thread(r, "sim-event-callbacks");
        t.setDaemon(true);
        return t;
      });
  private final Consumer<ObjectNode> listener = this::deliver;

  EventSubscriptions(ClusterModel model) {
    this.model = model;
    model.subscribe(listener);
  }

  void register(Router router) {
    router.on("GET", "/v2/eventSubscriptions/?", r -> {
      ObjectNode body = Json.object();
      model.read(s -> s.eventSubscribers).forEach(body.putArray("callbackUrls")::add);
      if (!body.has("callbackUrls")) {
        body.putArray("callbackUrls");
      }
      return Response.json(200, body);
    }).on("POST", "/v2/eventSubscriptions/?", r -> change(r, true))
        .on("DELETE", "/v2/eventSubscriptions/?", r -> change(r, false));
  }

  private Response change(Request r, boolean subscribe) {
    String url = callbackUrl(r);
    boolean changed = model.write(s -> subscribe ? s.eventSubscribers.add(url) : s.eventSubscribers.remove(url));
    ObjectNode event = Json.object().put("clientIp", r.remoteAddress()).put("callbackUrl", url)
        .put("eventType", subscribe ? "subscribe_event" : "unsubscribe_event")
        .put("timestamp", ClusterModel.iso(model.clock().millis()));
    if (changed) {
      model.publish(event.deepCopy());
      log.info("event subscriber {} url={}", subscribe ? "added" : "removed", url);
    }
    return Response.json(200, event);
  }

  private static String callbackUrl(Request r) {
    String url = r.query("callbackUrl");
    try {
      URI uri = url == null ? null : URI.create(url);
      if (uri == null || uri.getHost() == null || !List.of("http", "https").contains(uri.getScheme())) {
        throw new IllegalArgumentException();
      }
      return url;
    } catch (IllegalArgumentException e) {
      ObjectNode err = Json.object().put("message", "Object is not valid");
      err.putArray("details").addObject().put("path", "/callbackUrl").putArray("errors")
          .add(url == null ? "error.path.missing" : "is not a valid http(s) URL");
      throw new ApiError(422, err);
    }
  }

  private void deliver(ObjectNode event) {
    List<String> urls = List.copyOf(model.read(s -> s.eventSubscribers));
    if (urls.isEmpty()) {
      return;
    }
    byte[] body = Json.bytes(event);
    try {
      sender.execute(() -> urls.forEach(url -> post(url, body, event.path("eventType").asText())));
    } catch (RejectedExecutionException e) {
      log.warn("event callback backlog full, event dropped eventType={}", event.path("eventType").asText());
    }
  }

  private void post(String url, byte[] body, String eventType) {
    try {
      HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(DELIVERY_TIMEOUT)
          .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
      HttpResponse<Void> response = http.send(request, HttpResponse.BodyHandlers.discarding());
      if (response.statusCode() >= 300) {
        log.debug("event callback refused url={} eventType={} status={}", url, eventType, response.statusCode());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      log.debug("event callback failed url={} eventType={} error={}", url, eventType, e.toString());
    }
  }

  @Override
  public void close() {
    model.unsubscribe(listener);
    sender.shutdownNow();
  }
}
