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
import java.util.function.Supplier;

/**
 * What an app of the catalog should look like in Marathon. {@code deploy --plan} and {@code drift} both compare
 * it with what runs through {@link AppDefinitions#diff}, so they agree by construction.
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
