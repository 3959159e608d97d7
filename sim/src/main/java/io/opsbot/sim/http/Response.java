package io.opsbot.sim.http;

import io.opsbot.sim.Json;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** What a route handler answers. A null body means no body at all (HEAD, 202/204 without content). */
public record Response(int status, Map<String, String> headers, byte[] body) {

  public static Response json(int status, Object value) {
    return new Response(status, contentType("application/json"), Json.bytes(value));
  }

  public static Response text(int status, String text) {
    return new Response(status, contentType("text/plain; charset=utf-8"), text.getBytes(StandardCharsets.UTF_8));
  }

  public static Response bytes(int status, String contentType, byte[] body) {
    return new Response(status, contentType(contentType), body);
  }

  public static Response empty(int status) {
    return new Response(status, new LinkedHashMap<>(), null);
  }

  /** Returns this response with one more header (responses are built once, so copying is cheap enough). */
  public Response with(String name, String value) {
    Map<String, String> h = new LinkedHashMap<>(headers);
    h.put(name, value);
    return new Response(status, h, body);
  }

  private static Map<String, String> contentType(String type) {
    Map<String, String> h = new LinkedHashMap<>();
    h.put("Content-Type", type);
    return h;
  }
}
