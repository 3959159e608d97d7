package io.opsbot.sim.http;

import com.sun.net.httpserver.Headers;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One HTTP request as a route handler sees it: method, decoded path, the route's captured groups, query and body. */
public record Request(String method, String path, List<String> groups, Map<String, List<String>> query,
                      Headers headers, byte[] body, String remoteAddress) {

  public String group(int i) {
    return groups.get(i - 1);
  }

  public String query(String name) {
    List<String> values = query.get(name);
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  public List<String> queryAll(String name) {
    return query.getOrDefault(name, List.of());
  }

  public boolean flag(String name) {
    return "true".equalsIgnoreCase(query(name));
  }

  public String header(String name) {
    return headers.getFirst(name);
  }

  public String bodyText() {
    return new String(body, StandardCharsets.UTF_8);
  }

  static Map<String, List<String>> parseQuery(String raw) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    if (raw == null || raw.isEmpty()) {
      return out;
    }
    for (String pair : raw.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      out.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
    }
    return out;
  }
}
