package io.opsbot.cluster.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.opsbot.engine.OpsException;
import io.opsbot.engine.TransientException;
import java.io.IOException;
import java.io.UncheckedIOException;
import okhttp3.Headers;

/**
 * A fully read answer of a component, with what is needed to explain it: the component's name, its origin,
 * the method and (redacted) path of the request.
 */
public record ApiResponse(String component, String origin, String method, String path, int code, Headers headers,
                          String body) {

    public boolean isSuccessful() {
        return code >= 200 && code < 300;
    }

    public String header(String name) {
        return headers.get(name);
    }

    /** The body as JSON; a truncated or malformed body becomes an OpsException that says who sent it. */
    public JsonNode json() {
        requireBody();
        try {
            return Json.MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            throw malformed(e);
        }
    }

    /**
     * The body read as a stream by {@code reader} (for an answer too large to build whole), with the messages of
     * {@link #json()} for an empty, truncated or malformed body.
     */
    public <T> T json(StreamReader<T> reader) {
        requireBody();
        try (JsonParser parser = Json.MAPPER.createParser(body)) {
            return reader.read(parser);
        } catch (JsonProcessingException e) {
            throw malformed(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a String source does no I/O
        }
    }

    private void requireBody() {
        if (body == null || body.isBlank()) {
            throw new OpsException(component + " at " + origin + " answered " + method + " " + path
                    + " with an empty body where JSON was expected");
        }
    }

    private OpsException malformed(JsonProcessingException e) {
        return new OpsException(component + " at " + origin + " answered " + method + " " + path
                + " with malformed JSON (" + e.getOriginalMessage() + ")", e);
    }

    /** Reads a value from a JSON parser. */
    @FunctionalInterface
    public interface StreamReader<T> {
        T read(JsonParser parser) throws IOException;
    }

    /** The body as JSON, or null when the body is empty or not JSON: for reading error details. */
    public JsonNode jsonOrNull() {
        if (body == null || body.isBlank()) {
            return null;
        }
        try {
            return Json.MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    /** The 5xx answer as a retryable fault. */
    public TransientException serverError(String detail) {
        return new TransientException(component + " at " + origin + " failed on " + method + " " + path
                + " (HTTP " + code + (detail == null || detail.isBlank() ? "" : ": " + detail) + ")");
    }

    /** Any other unexpected answer. */
    public OpsException unexpected(String detail) {
        return new OpsException(component + " at " + origin + " answered " + method + " " + path + " with HTTP "
                + code + (detail == null || detail.isBlank() ? "" : ": " + detail));
    }

    /** A short excerpt of the body for messages: never the whole page of an HTML error. */
    public String excerpt() {
        if (body == null) {
            return "";
        }
        String flat = body.strip().replaceAll("\\s+", " ");
        return flat.length() <= 200 ? flat : flat.substring(0, 200) + "…";
    }
}
