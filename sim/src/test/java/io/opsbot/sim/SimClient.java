package io.opsbot.sim;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/** A thin HTTP helper for tests: every call returns the status and the parsed JSON body (null when empty). */
final class SimClient {
  record Answer(int code, JsonNode json, String text, okhttp3.Headers headers) {}

  static final MediaType JSON = MediaType.get("application/json");
  final OkHttpClient http = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(10)).build();
  final String base;

  SimClient(String base) {
    this.base = base;
  }

  Answer get(String path) {
    return call(new Request.Builder().url(base + path).get().build());
  }

  Answer put(String path, String json) {
    return call(new Request.Builder().url(base + path).put(RequestBody.create(json, JSON)).build());
  }

  Answer post(String path, String json) {
    return call(new Request.Builder().url(base + path).post(RequestBody.create(json, JSON)).build());
  }

  Answer patch(String path, String json) {
    return call(new Request.Builder().url(base + path).patch(RequestBody.create(json, JSON)).build());
  }

  Answer delete(String path) {
    return call(new Request.Builder().url(base + path).delete().build());
  }

  Answer call(Request request) {
    try (Response r = http.newCall(request).execute()) {
      String text = r.body().string();
      JsonNode json = null;
      if (!text.isEmpty() && text.trim().matches("(?s)^[\\[{].*")) {
        json = Json.MAPPER.readTree(text);
      }
      return new Answer(r.code(), json, text, r.headers());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
