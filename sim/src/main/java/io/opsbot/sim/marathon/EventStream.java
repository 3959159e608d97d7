package io.opsbot.sim.marathon;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import io.opsbot.sim.Json;
import io.opsbot.sim.SimClock;
import io.opsbot.sim.cluster.ClusterModel;
import io.opsbot.sim.http.Request;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** Marathon's server-sent event stream: {@code event_stream_attached} first, then every model event that passes the filter. */
public final class EventStream {
  /** A silent connection gets a comment line this often, like a proxy-friendly heartbeat. */
  private static final long HEARTBEAT_MS = 1_000;
  private static final ObjectNode DROP = Json.object();

  private final ClusterModel model;
  private final SimClock clock;
  private final Set<BlockingQueue<ObjectNode>> open = new CopyOnWriteArraySet<>();
  private volatile boolean closed;
  /** While down, open streams are closed and new ones refused with 503, as when Marathon's leader is lost. */
  private volatile boolean down;
  private int dropNext;
  private volatile java.util.function.IntConsumer onDrop = n -> { };

  public EventStream(ClusterModel model) {
    this.model = model;
    this.clock = model.clock();
  }

  /** Told how many streams each {@link #drop} closed (the control API counts them as injected faults). */
  public void onDrop(java.util.function.IntConsumer counter) {
    this.onDrop = counter;
  }

  /** Closes open streams (each uses one of {@code count}); what is left closes the next streams right after attach. */
  public synchronized void drop(int count) {
    int left = Math.max(1, count);
    int now = 0;
    for (BlockingQueue<ObjectNode> q : open) {
      if (left == 0) {
        break;
      }
      q.offer(DROP);
      left--;
      now++;
    }
    dropNext += left;
    if (now > 0) {
      onDrop.accept(now);
    }
  }

  /** Takes the stream down until {@link #up()}: open streams close, new connections get 503. */
  public synchronized void down() {
    down = true;
    open.forEach(q -> q.offer(DROP));
  }

  public void up() {
    down = false;
  }

  public boolean isDown() {
    return down;
  }

  private boolean takeDrop() {
    synchronized (this) {
      if (dropNext <= 0) {
        return false;
      }
      dropNext--;
    }
    onDrop.accept(1);
    return true;
  }

  public void close() {
    closed = true;
    open.forEach(q -> q.offer(DROP));
  }

  void serve(Request request, HttpExchange exchange) throws IOException {
    if (down) {
      byte[] body = "{\"message\":\"the event stream is down (sim control)\"}".getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(503, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
      return;
    }
    Set<String> types = new HashSet<>(request.queryAll("event_type"));
    BlockingQueue<ObjectNode> queue = new LinkedBlockingQueue<>();
    Consumer<ObjectNode> listener = e -> {
      if (types.isEmpty() || types.contains(e.path("eventType").asText())) {
        queue.offer(e.deepCopy());
      }
    };
    exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
    exchange.getResponseHeaders().set("Cache-Control", "no-cache");
    exchange.sendResponseHeaders(200, 0);
    model.subscribe(listener);
    open.add(queue);
    try (OutputStream out = exchange.getResponseBody()) {
      ObjectNode attached = Json.object().put("remoteAddress", request.remoteAddress())
          .put("eventType", "event_stream_attached").put("timestamp", ClusterModel.iso(clock.millis()));
      write(out, attached);
      if (takeDrop()) {
        return;
      }
      while (!closed) {
        ObjectNode e = queue.poll(HEARTBEAT_MS, TimeUnit.MILLISECONDS);
        if (e == DROP) {
          return;
        }
        if (e == null) {
          out.write(":\n\n".getBytes(StandardCharsets.UTF_8));
          out.flush();
        } else {
          write(out, e);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      model.unsubscribe(listener);
      open.remove(queue);
    }
  }

  private static void write(OutputStream out, ObjectNode event) throws IOException {
    String frame = "event: " + event.path("eventType").asText() + "\ndata: "
        + new String(Json.bytes(event), StandardCharsets.UTF_8) + "\n\n";
    out.write(frame.getBytes(StandardCharsets.UTF_8));
    out.flush();
  }
}
