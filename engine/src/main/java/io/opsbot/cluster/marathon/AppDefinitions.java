package io.opsbot.cluster.marathon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Compares Marathon app definitions the way Marathon sees them: a definition we render and the one Marathon
 * runs differ only when they would make Marathon run something different.
 *
 * <p>{@link #normalize} fills in Marathon's defaults for absent fields, removes fields only the server owns
 * (version, tasks, counts, deployments, …), drops JSON nulls (null means absent), writes numbers in one form
 * (1.0 and 1 are equal), prefixes the id with "/", turns the deprecated {@code uris} into {@code fetch}, and
 * sorts constraints (Marathon keeps them as a set), and drops HTTP-only fields from TCP and COMMAND health checks.
 *
 * <p>{@link #diff} then compares field by field. A field the running definition has but the desired one does
 * not mention, and that has no known default, is Marathon's own addition (portDefinitions, unreachableStrategy,
 * …) and is not reported: we cannot tell it from a default. Free-form maps (env, labels) are compared key by
 * key in both directions, so a label added by hand in the Marathon UI shows up. A field whose default changed
 * between Marathon releases (maxLaunchDelaySeconds) is not a change when the desired definition leaves it out
 * and the running one has either release's default.
 */
public final class AppDefinitions {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** Fields Marathon computes or adds on reads; never part of what a user defines. */
    private static final Set<String> SERVER_OWNED = Set.of(
            "version", "versionInfo", "tasks", "tasksRunning", "tasksStaged", "tasksHealthy", "tasksUnhealthy",
            "deployments", "lastTaskFailure", "readinessCheckResults", "taskStats", "taskCounts", "counts");

    /**
     * Fields whose default differs between Marathon releases: maxLaunchDelaySeconds is 3600 in the 1.x releases
     * this project runs (and the sim), 300 in later ones. A desired definition that leaves such a field out is
     * satisfied by any of these values.
     */
    private static final Map<String, Set<Integer>> RELEASE_DEFAULTS = Map.of("maxLaunchDelaySeconds", Set.of(300, 3600));

    /** Health check fields Marathon uses for HTTP(S) checks only; on TCP and COMMAND checks they mean nothing. */
    private static final List<String> HTTP_ONLY_CHECK_FIELDS = List.of("path", "ignoreHttp1xx");

    /** Free-form maps whose keys are compared in both directions. */
    private static final Set<String> FREE_FORM = Set.of("env", "labels");

    private AppDefinitions() {
    }

    /** A normalized copy; the argument is not changed. */
    public static ObjectNode normalize(JsonNode definition) {
        ObjectNode app = definition != null && definition.isObject() ? (ObjectNode) definition.deepCopy() : NODES.objectNode();
        SERVER_OWNED.forEach(app::remove);
        ObjectNode clean = (ObjectNode) canonical(app);

        String id = clean.path("id").asText("");
        if (!id.isEmpty() && !id.startsWith("/")) {
            clean.put("id", "/" + id);
        }
        defaultNumber(clean, "instances", 1);
        defaultNumber(clean, "cpus", 1);
        defaultNumber(clean, "mem", 128);
        defaultNumber(clean, "disk", 0);
        defaultNumber(clean, "gpus", 0);
        defaultNumber(clean, "backoffSeconds", 1);
        defaultNumber(clean, "backoffFactor", new BigDecimal("1.15"));
        defaultNumber(clean, "maxLaunchDelaySeconds", 3600);
        defaultValue(clean, "requirePorts", NODES.booleanNode(false));
        defaultValue(clean, "killSelection", NODES.textNode("YOUNGEST_FIRST"));
        defaultValue(clean, "executor", NODES.textNode(""));
        for (String array : List.of("constraints", "healthChecks", "dependencies", "readinessChecks", "storeUrls")) {
            defaultValue(clean, array, NODES.arrayNode());
        }
        defaultValue(clean, "env", NODES.objectNode());
        defaultValue(clean, "labels", NODES.objectNode());

        ObjectNode strategy = objectField(clean, "upgradeStrategy");
        defaultNumber(strategy, "minimumHealthCapacity", 1);
        defaultNumber(strategy, "maximumOverCapacity", 1);

        normalizeFetch(clean);
        normalizeContainer(clean);
        for (JsonNode check : clean.withArray("healthChecks")) {
            if (check.isObject()) {
                normalizeHealthCheck((ObjectNode) check);
            }
        }
        sortArray(clean, "constraints");
        sortArray(clean, "dependencies");
        return clean;
    }

    /**
     * What would change if {@code desired} replaced {@code running}, in a stable order; empty when both are
     * equal after normalization.
     */
    public static List<FieldChange> diff(JsonNode desired, JsonNode running) {
        List<FieldChange> changes = new ArrayList<>();
        ObjectNode want = normalize(desired);
        ObjectNode have = normalize(running);
        for (Map.Entry<String, Set<Integer>> field : RELEASE_DEFAULTS.entrySet()) {
            JsonNode given = desired == null ? null : desired.get(field.getKey());
            JsonNode runs = have.get(field.getKey());
            if ((given == null || given.isNull()) && runs != null && runs.canConvertToInt() && field.getValue().contains(runs.asInt())) {
                want.set(field.getKey(), runs);
            }
        }
        compareObjects("", want, have, changes, false);
        return List.copyOf(changes);
    }

    // ---- normalization --------------------------------------------------------------------------------

    /** Drops nulls and writes every number in one canonical form, recursively. */
    private static JsonNode canonical(JsonNode node) {
        if (node.isObject()) {
            ObjectNode out = NODES.objectNode();
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                if (!field.getValue().isNull()) {
                    out.set(field.getKey(), canonical(field.getValue()));
                }
            }
            return out;
        }
        if (node.isArray()) {
            ArrayNode out = NODES.arrayNode();
            node.forEach(element -> out.add(canonical(element)));
            return out;
        }
        if (node.isNumber()) {
            return number(node.decimalValue());
        }
        return node;
    }

    private static JsonNode number(BigDecimal value) {
        BigDecimal stripped = value.stripTrailingZeros();
        if (stripped.scale() <= 0 && stripped.abs().compareTo(BigDecimal.valueOf(Integer.MAX_VALUE)) < 0) {
            return NODES.numberNode(stripped.intValueExact()); // the node type Jackson itself reads small integers as
        }
        if (stripped.scale() <= 0 && stripped.abs().compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) < 0) {
            return NODES.numberNode(stripped.longValueExact());
        }
        return NODES.numberNode(stripped);
    }

    private static void defaultNumber(ObjectNode node, String field, long value) {
        defaultValue(node, field, number(BigDecimal.valueOf(value)));
    }

    private static void defaultNumber(ObjectNode node, String field, BigDecimal value) {
        defaultValue(node, field, number(value));
    }

    private static void defaultValue(ObjectNode node, String field, JsonNode value) {
        if (!node.has(field)) {
            node.set(field, value);
        }
    }

    private static ObjectNode objectField(ObjectNode node, String field) {
        JsonNode child = node.get(field);
        if (child instanceof ObjectNode object) {
            return object;
        }
        ObjectNode created = NODES.objectNode();
        node.set(field, created);
        return created;
    }

    private static void normalizeFetch(ObjectNode app) {
        JsonNode uris = app.remove("uris");
        if (!app.has("fetch")) {
            ArrayNode fetch = NODES.arrayNode();
            if (uris != null && uris.isArray()) {
                uris.forEach(uri -> fetch.add(NODES.objectNode().put("uri", uri.asText())));
            }
            app.set("fetch", fetch);
        }
        for (JsonNode entry : app.withArray("fetch")) {
            if (entry instanceof ObjectNode fetch) {
                defaultValue(fetch, "extract", NODES.booleanNode(true));
                defaultValue(fetch, "executable", NODES.booleanNode(false));
                defaultValue(fetch, "cache", NODES.booleanNode(false));
            }
        }
    }

    private static void normalizeContainer(ObjectNode app) {
        if (!(app.get("container") instanceof ObjectNode container)) {
            return;
        }
        defaultValue(container, "volumes", NODES.arrayNode());
        if (container.get("docker") instanceof ObjectNode docker) {
            defaultValue(container, "type", NODES.textNode("DOCKER"));
            defaultValue(docker, "privileged", NODES.booleanNode(false));
            defaultValue(docker, "forcePullImage", NODES.booleanNode(false));
            defaultValue(docker, "parameters", NODES.arrayNode());
        }
    }

    private static void normalizeHealthCheck(ObjectNode check) {
        defaultValue(check, "protocol", NODES.textNode("HTTP"));
        String protocol = check.path("protocol").asText();
        if (protocol.endsWith("HTTP") || protocol.endsWith("HTTPS")) {
            defaultValue(check, "path", NODES.textNode("/"));
            defaultValue(check, "ignoreHttp1xx", NODES.booleanNode(false));
        } else {
            // Some Marathon releases still report ignoreHttp1xx: false on TCP and COMMAND checks.
            HTTP_ONLY_CHECK_FIELDS.forEach(check::remove);
        }
        if (!protocol.endsWith("COMMAND") && !check.has("port")) {
            defaultNumber(check, "portIndex", 0);
        }
        defaultNumber(check, "gracePeriodSeconds", 300);
        defaultNumber(check, "intervalSeconds", 60);
        defaultNumber(check, "timeoutSeconds", 20);
        defaultNumber(check, "maxConsecutiveFailures", 3);
        defaultNumber(check, "delaySeconds", 15);
    }

    private static void sortArray(ObjectNode app, String field) {
        JsonNode array = app.get(field);
        if (array == null || !array.isArray()) {
            return;
        }
        List<JsonNode> elements = new ArrayList<>();
        array.forEach(elements::add);
        elements.sort(Comparator.comparing(JsonNode::toString));
        ArrayNode sorted = NODES.arrayNode();
        elements.forEach(sorted::add);
        app.set(field, sorted);
    }

    // ---- comparison -----------------------------------------------------------------------------------

    private static void compareObjects(String prefix, JsonNode desired, JsonNode running, List<FieldChange> out,
                                       boolean bothWays) {
        Set<String> keys = new TreeSet<>();
        desired.fieldNames().forEachRemaining(keys::add);
        if (bothWays) {
            running.fieldNames().forEachRemaining(keys::add);
        }
        Map<String, String> ordered = new LinkedHashMap<>();
        // id first, then alphabetical: "id" changes are the most important to read.
        if (keys.remove("id")) {
            ordered.put("id", "id");
        }
        keys.forEach(k -> ordered.put(k, k));
        for (String key : ordered.keySet()) {
            String path = prefix.isEmpty() ? key : prefix + "." + key;
            JsonNode want = desired.get(key);
            JsonNode have = running.get(key);
            if (want != null && have != null && want.isObject() && have.isObject()) {
                compareObjects(path, want, have, out, bothWays || (prefix.isEmpty() && FREE_FORM.contains(key)));
            } else if (!equal(want, have)) {
                out.add(new FieldChange(path, render(have), render(want)));
            }
        }
    }

    private static boolean equal(JsonNode a, JsonNode b) {
        if (a == null || b == null) {
            return a == b;
        }
        return a.equals(b);
    }

    private static String render(JsonNode node) {
        if (node == null) {
            return "(none)";
        }
        if (node.isTextual()) {
            return node.asText();
        }
        if (node.isBigDecimal()) {
            return node.decimalValue().toPlainString();
        }
        return node.toString();
    }
}
