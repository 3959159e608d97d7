package io.opsbot.cluster.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The one configured ObjectMapper of the clients and the tolerant field readers they parse responses with:
 * unknown fields are ignored, a missing field and a JSON null both read as "absent".
 */
public final class Json {

    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .addModule(new JavaTimeModule())
            .build();

    private Json() {
    }

    /** The child, or a MissingNode when the node is null/missing or the field is absent or JSON null. */
    public static JsonNode at(JsonNode node, String field) {
        if (node == null || !node.isObject()) {
            return MissingNode.getInstance();
        }
        JsonNode child = node.get(field);
        return child == null || child.isNull() ? MissingNode.getInstance() : child;
    }

    public static String text(JsonNode node, String field) {
        JsonNode child = at(node, field);
        return child.isMissingNode() ? null : child.asText();
    }

    public static String text(JsonNode node, String field, String fallback) {
        String value = text(node, field);
        return value == null ? fallback : value;
    }

    public static int integer(JsonNode node, String field, int fallback) {
        JsonNode child = at(node, field);
        return child.isNumber() || child.isTextual() ? child.asInt(fallback) : fallback;
    }

    public static long longValue(JsonNode node, String field, long fallback) {
        JsonNode child = at(node, field);
        return child.isNumber() || child.isTextual() ? child.asLong(fallback) : fallback;
    }

    /** A number, or null when absent: for fields like maximum_size where "absent" means something. */
    public static Long optionalLong(JsonNode node, String field) {
        JsonNode child = at(node, field);
        return child.isNumber() ? Long.valueOf(child.asLong()) : null;
    }

    public static double decimal(JsonNode node, String field, double fallback) {
        JsonNode child = at(node, field);
        return child.isNumber() || child.isTextual() ? child.asDouble(fallback) : fallback;
    }

    public static boolean bool(JsonNode node, String field, boolean fallback) {
        JsonNode child = at(node, field);
        return child.isBoolean() ? child.asBoolean() : fallback;
    }

    /** Booleans that may be absent: null means "not reported". */
    public static Boolean optionalBool(JsonNode node, String field) {
        JsonNode child = at(node, field);
        return child.isBoolean() ? Boolean.valueOf(child.asBoolean()) : null;
    }

    /** The elements of an array field mapped one by one; absent, null or non-array gives an empty list. */
    public static <T> List<T> list(JsonNode node, String field, Function<JsonNode, T> mapper) {
        return list(at(node, field), mapper);
    }

    public static <T> List<T> list(JsonNode array, Function<JsonNode, T> mapper) {
        if (array == null || !array.isArray()) {
            return List.of();
        }
        List<T> out = new ArrayList<>(array.size());
        for (JsonNode element : array) {
            if (element != null && !element.isNull()) {
                T value = mapper.apply(element);
                if (value != null) {
                    out.add(value);
                }
            }
        }
        return Collections.unmodifiableList(out);
    }

    public static List<String> strings(JsonNode node, String field) {
        return list(node, field, JsonNode::asText);
    }

    /** An object field read as a map of texts (non-text values keep their JSON form). */
    public static Map<String, String> textMap(JsonNode node, String field) {
        JsonNode child = at(node, field);
        if (!child.isObject()) {
            return Map.of();
        }
        Map<String, String> out = new LinkedHashMap<>();
        child.fields().forEachRemaining(e -> {
            if (!e.getValue().isNull()) {
                out.put(e.getKey(), e.getValue().isValueNode() ? e.getValue().asText() : e.getValue().toString());
            }
        });
        return Collections.unmodifiableMap(out);
    }
}
