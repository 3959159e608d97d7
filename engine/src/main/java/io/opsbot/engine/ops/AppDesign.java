package io.opsbot.engine.ops;

import com.fasterxml.jackson.databind.JsonNode;
import io.opsbot.catalog.AppSpec;
import io.opsbot.catalog.TemplateRenderer;
import io.opsbot.cluster.marathon.App;
import io.opsbot.cluster.marathon.AppDefinitions;
import io.opsbot.cluster.marathon.FieldChange;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.function.Supplier;

/**
 * What an app of the catalog should look like in Marathon, and how that differs from what runs. {@code deploy
 * --plan} and {@code drift} both compare through {@link #diff}, so they agree by construction.
 */
final class AppDesign {

    private final TemplateRenderer renderer = new TemplateRenderer();
    private final Supplier<String> imageRegistry;

    AppDesign(Supplier<String> imageRegistry) {
        this.imageRegistry = imageRegistry;
    }

    /** The Marathon definition of {@code app} with its image at {@code version}, plus template overrides. */
    JsonNode render(AppSpec app, String version, Map<String, Object> overrides) {
        Map<String, Object> vars = new LinkedHashMap<>();
        vars.put("registry", imageRegistry.get());
        vars.put("version", version);
        vars.putAll(overrides);
        return renderer.render(app, vars);
    }

    String imageRef(AppSpec app, String version) {
        return imageRegistry.get() + "/" + app.image() + ":" + version;
    }

    /** Field-level differences, desired against running, both normalized; empty when they are the same. */
    static List<FieldChange> diff(JsonNode desired, JsonNode running) {
        return AppDefinitions.diff(withReleaseDefaults(withoutHttpOnlyFields(desired), running), withoutHttpOnlyFields(running));
    }

    /** ignoreHttp1xx means something for HTTP checks only; some servers still report it on TCP and COMMAND checks. */
    private static JsonNode withoutHttpOnlyFields(JsonNode definition) {
        if (definition == null || !definition.path("healthChecks").isArray()) {
            return definition;
        }
        ObjectNode copy = (ObjectNode) definition.deepCopy();
        for (JsonNode check : copy.withArray("healthChecks")) {
            String protocol = check.path("protocol").asText("HTTP");
            if (check.isObject() && !protocol.contains("HTTP") && !check.path("ignoreHttp1xx").asBoolean(false)) {
                ((ObjectNode) check).remove("ignoreHttp1xx");
            }
        }
        return copy;
    }

    /**
     * Marathon releases differ in some defaults (maxLaunchDelaySeconds: 3600 before 1.5, 300 since). A field the
     * desired definition leaves out and that runs at one of those defaults is not drift.
     */
    private static final Map<String, Set<Integer>> RELEASE_DEFAULTS = Map.of("maxLaunchDelaySeconds", Set.of(300, 3600));

    private static JsonNode withReleaseDefaults(JsonNode desired, JsonNode running) {
        if (desired == null || !desired.isObject() || running == null) {
            return desired;
        }
        ObjectNode copy = null;
        for (Map.Entry<String, Set<Integer>> field : RELEASE_DEFAULTS.entrySet()) {
            JsonNode value = running.get(field.getKey());
            if (!desired.has(field.getKey()) && value != null && value.canConvertToInt() && field.getValue().contains(value.asInt())) {
                copy = copy == null ? (ObjectNode) desired.deepCopy() : copy;
                copy.set(field.getKey(), value);
            }
        }
        return copy == null ? desired : copy;
    }

    /** "instances: 2 → 3; cpus: 0.5 → 0.25" */
    static String describe(List<FieldChange> changes) {
        return String.join("; ", changes.stream().map(FieldChange::toString).toList());
    }

    /** The tag of a running app's image ("1.0" of "node1:5000/nodeapp:1.0"), or null when it has none. */
    static String tagOf(App app) {
        return tagOf(app.image());
    }

    static String tagOf(String image) {
        if (image == null) {
            return null;
        }
        int at = image.indexOf('@');
        String name = at < 0 ? image : image.substring(0, at);
        int colon = name.lastIndexOf(':');
        return colon > name.lastIndexOf('/') ? name.substring(colon + 1) : null;
    }
}
