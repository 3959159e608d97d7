package io.opsbot.cluster.marathon;

import static io.opsbot.cluster.http.Json.at;
import static io.opsbot.cluster.http.Json.text;

import com.fasterxml.jackson.databind.JsonNode;
import io.opsbot.cluster.http.ApiResponse;
import io.opsbot.cluster.http.Json;
import io.opsbot.engine.OpsException;
import java.util.ArrayList;
import java.util.List;

/** Translates Marathon's error answers into typed exceptions, so callers decide on types, not status codes. */
final class MarathonErrors {

    private MarathonErrors() {
    }

    /**
     * @param subject what the request was about, for messages ("app /nodeapp", "deployment 5ed4c0c5")
     * @param appId   the app concerned, or null
     */
    static OpsException toException(ApiResponse response, String subject, String appId) {
        JsonNode body = response.jsonOrNull();
        String message = body == null ? response.excerpt() : text(body, "message", response.excerpt());
        int code = response.code();
        if (code == 409) {
            return new AppLockedException(appId, Json.list(body, "deployments", d -> text(d, "id")), message);
        }
        if (code == 422) {
            return new ValidationException(subject, message, fieldErrors(body));
        }
        if (code == 400) {
            return new BadRequestException(subject, message, fieldErrors(body));
        }
        if (code == 404) {
            return new NotFoundException("no " + subject + " in Marathon");
        }
        if (code == 401 || code == 403) {
            return new AuthException("Marathon at " + response.origin() + " refused "
                    + (code == 401 ? "the credentials (401 Unauthorized)" : "this action (403 Forbidden)")
                    + "; check the Marathon user or token in the configuration", code);
        }
        if (code >= 500) {
            return response.serverError(message);
        }
        return response.unexpected(message);
    }

    /** Reads both shapes: details[].path/errors (current) and errors[].attribute/error (older releases). */
    static List<FieldError> fieldErrors(JsonNode body) {
        List<FieldError> out = new ArrayList<>();
        for (JsonNode detail : iterable(at(body, "details"))) {
            List<String> errors = Json.strings(detail, "errors");
            if (errors.isEmpty() && text(detail, "error") != null) {
                errors = List.of(text(detail, "error"));
            }
            out.add(new FieldError(text(detail, "path", ""), errors));
        }
        for (JsonNode error : iterable(at(body, "errors"))) {
            if (error.isObject()) {
                out.add(new FieldError(text(error, "attribute", text(error, "path", "")),
                        List.of(text(error, "error", text(error, "message", "invalid")))));
            } else {
                out.add(new FieldError("", List.of(error.asText())));
            }
        }
        return List.copyOf(out);
    }

    static String describe(String prefix, String marathonMessage, List<FieldError> fieldErrors) {
        StringBuilder out = new StringBuilder(prefix);
        if (marathonMessage != null && !marathonMessage.isBlank()) {
            out.append(": ").append(marathonMessage);
        }
        if (!fieldErrors.isEmpty()) {
            out.append(" — ");
            for (int i = 0; i < fieldErrors.size(); i++) {
                out.append(i > 0 ? ", " : "").append(fieldErrors.get(i));
            }
        }
        return out.toString();
    }

    private static Iterable<JsonNode> iterable(JsonNode node) {
        return node.isArray() ? node : List.of();
    }
}
