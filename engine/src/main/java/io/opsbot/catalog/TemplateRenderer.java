package io.opsbot.catalog;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opsbot.engine.OpsException;
import io.pebbletemplates.pebble.PebbleEngine;
import io.pebbletemplates.pebble.error.AttributeNotFoundException;
import io.pebbletemplates.pebble.error.PebbleException;
import io.pebbletemplates.pebble.loader.FileLoader;
import io.pebbletemplates.pebble.template.PebbleTemplate;
import java.io.IOException;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders an app's Marathon template (Jinja syntax, as Ansible's {@code application.json.j2}) into the app
 * definition Marathon takes.
 *
 * <p>Template variables: every app.yaml field ({@code id}, {@code image}, {@code build}, {@code template},
 * {@code instances}, {@code limits.minInstances}, {@code limits.maxInstances}, {@code cpus}, {@code mem},
 * {@code dataset.name}, {@code dataset.size}, {@code dataset.sizeBytes}, {@code healthCheck.*}, {@code env},
 * {@code constraints}, {@code node}) plus {@code name} (the app's folder name), {@code stateful}, and what the
 * caller passes as overrides: {@code registry} (host:port) and {@code version} (the image tag) are expected there;
 * {@code image_ref} is then {@code registry/image:version}. An override replaces the app.yaml value of the same
 * name ({@code instances}, {@code node}, ...). {@code constraints} holds app.yaml's constraints with
 * {@code ["hostname", "CLUSTER", node]} first when the app has a node, so overriding {@code node} moves the pin.
 * Fields an app does not set ({@code dataset}, {@code healthCheck}, {@code node}) are absent: test them with
 * {@code is defined}. A template that uses a variable that is not there fails with its name and line.
 */
public final class TemplateRenderer {

    /** Built on the first render: commands that render nothing (status, history…) never load Pebble. */
    private PebbleEngine pebble;

    private synchronized PebbleEngine pebble() {
        if (pebble == null) {
            pebble = new PebbleEngine.Builder()
                    .loader(new FileLoader())
                    // JSON is not HTML: autoescaping would turn quotes into &quot;.
                    .autoEscaping(false)
                    // A misspelt or missing variable must fail loudly rather than render as an empty string.
                    .strictVariables(true)
                    // Jinja keeps the newline after {{ }}; Pebble's default trimming would glue lines together and
                    // make the line numbers of errors in the output differ from the template's.
                    .newLineTrimming(false)
                    // Templates are small and edited while opsbot runs: always read the file as it is now.
                    .cacheActive(false)
                    .extension(new JinjaCompat())
                    .build();
        }
        return pebble;
    }

    private final ObjectMapper json = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /**
     * The Marathon app definition of {@code app}.
     *
     * @param overrides template variables replacing or adding to app.yaml's ({@code registry}, {@code version},
     *                  {@code instances}, {@code node}, ...)
     * @throws OpsException naming the template and line when it cannot be rendered or does not render to a
     *                      JSON object
     */
    public JsonNode render(AppSpec app, Map<String, Object> overrides) {
        String rendered = renderText(app, overrides);
        String file = app.templateFile().toString();
        JsonNode node;
        try {
            node = json.readTree(rendered);
        } catch (JsonProcessingException e) {
            JsonLocation where = e.getLocation();
            int line = where == null ? -1 : where.getLineNr();
            throw new OpsException("the Marathon template " + file + " of " + app.name()
                    + " did not render to valid JSON" + (line > 0 ? " at line " + line + " of its output" : "")
                    + ": " + e.getOriginalMessage() + (line > 0 ? "\n  " + line + " | " + lineOf(rendered, line) : ""),
                    e);
        }
        if (node == null || !node.isObject()) {
            throw new OpsException("the Marathon template " + file + " of " + app.name()
                    + " must render to a JSON object (an app definition), not " + (node == null ? "nothing" : node));
        }
        return node;
    }

    /** The template's output before JSON parsing, for showing a plan or debugging a template. */
    public String renderText(AppSpec app, Map<String, Object> overrides) {
        String file = app.templateFile().toString();
        try {
            PebbleTemplate template = pebble().getTemplate(file);
            StringWriter out = new StringWriter();
            template.evaluate(out, variables(app, overrides));
            return out.toString();
        } catch (AttributeNotFoundException e) {
            throw new OpsException("the Marathon template " + file + " of " + app.name() + " uses '"
                    + e.getAttributeName() + "'" + at(e) + ", which is not defined (template variables: "
                    + String.join(", ", variables(app, overrides).keySet()) + ")", e);
        } catch (PebbleException e) {
            throw new OpsException("the Marathon template " + file + " of " + app.name() + " cannot be rendered"
                    + at(e) + ": " + e.getPebbleMessage(), e);
        } catch (IOException e) {
            throw new OpsException("cannot read the Marathon template " + file + ": " + e.getMessage(), e);
        }
    }

    /** The variables a template sees for {@code app} with {@code overrides} applied. */
    Map<String, Object> variables(AppSpec app, Map<String, Object> overrides) {
        Map<String, Object> vars = new LinkedHashMap<>();
        vars.put("name", app.name());
        vars.put("id", app.id());
        vars.put("image", app.image());
        String build = app.dir().relativize(app.buildContext()).toString();
        vars.put("build", build.isEmpty() ? "." : build);
        vars.put("template", app.template());
        vars.put("instances", app.instances());
        vars.put("limits", Map.of(
                "minInstances", app.limits().minInstances(),
                "maxInstances", app.limits().maxInstances()));
        vars.put("cpus", app.cpus());
        vars.put("mem", app.mem());
        vars.put("stateful", app.stateful());
        if (app.dataset() != null) {
            vars.put("dataset", Map.of(
                    "name", app.dataset().name(),
                    "size", app.dataset().size(),
                    "sizeBytes", app.dataset().sizeBytes()));
        }
        if (app.healthCheck() != null) {
            AppSpec.HealthCheck h = app.healthCheck();
            vars.put("healthCheck", Map.of(
                    "path", h.path(),
                    "portIndex", h.portIndex(),
                    "gracePeriodSeconds", h.gracePeriodSeconds(),
                    "intervalSeconds", h.intervalSeconds(),
                    "maxConsecutiveFailures", h.maxConsecutiveFailures()));
        }
        vars.put("env", app.env());
        if (app.node() != null) {
            vars.put("node", app.node());
        }
        vars.putAll(overrides);

        if (!overrides.containsKey("image_ref") && vars.get("registry") != null && vars.get("version") != null) {
            vars.put("image_ref", vars.get("registry") + "/" + vars.get("image") + ":" + vars.get("version"));
        }
        if (!overrides.containsKey("constraints")) {
            List<List<String>> constraints = new ArrayList<>();
            Object node = vars.get("node");
            if (node != null) {
                constraints.add(List.of("hostname", "CLUSTER", node.toString()));
            }
            constraints.addAll(app.constraints());
            vars.put("constraints", constraints);
        }
        return vars;
    }

    private static String at(PebbleException e) {
        return e.getLineNumber() == null || e.getLineNumber() < 1 ? "" : " at line " + e.getLineNumber();
    }

    private static String lineOf(String text, int line) {
        String[] lines = text.split("\n", -1);
        return line <= lines.length ? lines[line - 1].strip() : "";
    }
}
