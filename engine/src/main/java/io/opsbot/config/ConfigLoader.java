package io.opsbot.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Loads {@code opsbot.yaml}: YAML onto records, {@code ${ENV_VAR}} (or {@code ${ENV_VAR:-default}}) substituted
 * in every string value (after parsing, so a secret's characters can never change the YAML's structure), then
 * validated with every problem listed at once.
 */
public final class ConfigLoader {

    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");

    private final Function<String, String> environment;
    private final ObjectMapper yaml = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public ConfigLoader(Function<String, String> environment) {
        this.environment = environment;
    }

    public ConfigLoader() {
        this(System::getenv);
    }

    public OpsbotConfig load(Path file) {
        String source = file.toString();
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new ConfigException(source, List.of("cannot read the file: " + e.getMessage()));
        }
        return parse(text, source, file.toAbsolutePath().getParent());
    }

    /** @param baseDir relative paths in the file (certificates, the apps folder) are taken from here */
    public OpsbotConfig parse(String text, String source, Path baseDir) {
        List<String> problems = new ArrayList<>();
        JsonNode tree;
        try {
            tree = yaml.readTree(text);
        } catch (JsonProcessingException e) {
            throw new ConfigException(source, List.of("not valid YAML: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")")));
        }
        if (tree == null || tree.isMissingNode() || tree.isNull()) {
            tree = yaml.createObjectNode();
        }
        if (!tree.isObject()) {
            throw new ConfigException(source, List.of("the top level must be a mapping (cluster:, journal:, slack: …)"));
        }
        dropUnsetInactiveSlackSettings(tree.get("slack"));
        substitute(tree, "", problems);
        OpsbotConfig config = null;
        try {
            config = yaml.treeToValue(tree, OpsbotConfig.class);
        } catch (UnrecognizedPropertyException e) {
            problems.add("unknown setting '" + e.getPropertyName() + "' at " + path(e.getPath())
                    + "; known there: " + e.getKnownPropertyIds());
        } catch (JsonProcessingException e) {
            problems.add("bad value at " + path(e instanceof com.fasterxml.jackson.databind.JsonMappingException m
                    ? m.getPath() : List.of()) + ": " + e.getOriginalMessage());
        }
        if (config != null) {
            problems.addAll(new ConfigValidator(baseDir).problems(config));
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(source, problems);
        }
        return absolutePaths(config, baseDir);
    }

    /** Paths in the file are taken from its folder; the rest of the program sees absolute ones. */
    private static OpsbotConfig absolutePaths(OpsbotConfig config, Path baseDir) {
        Function<String, String> abs = p -> p == null ? null : ConfigValidator.resolvePath(baseDir, p).toString();
        ClusterConfig c = config.cluster();
        if (c != null) {
            ClusterConfig.Flocker f = c.flocker() == null ? null
                    : new ClusterConfig.Flocker(c.flocker().url(), abs.apply(c.flocker().ca()),
                            abs.apply(c.flocker().cert()), abs.apply(c.flocker().key()));
            ClusterConfig.Ssh s = c.ssh() == null ? null
                    : new ClusterConfig.Ssh(c.ssh().user(), abs.apply(c.ssh().key()), abs.apply(c.ssh().knownHosts()),
                            c.ssh().port(), c.ssh().ports());
            c = new ClusterConfig(c.marathon(), c.mesos(), f, c.registry(), c.docker(), c.weave(), s, c.nodes(), c.services(), c.emulated());
        }
        return new OpsbotConfig(c, config.journal(), config.engine(), abs.apply(config.apps()), config.slack(), config.access(),
                config.metrics(), config.alerts(), config.ha(), config.reports());
    }

    /**
     * Only the active Slack mode's settings may be required: socket mode never uses the signing secret, the HTTP
     * port or path; HTTP mode never uses the app-level token. A setting of the other mode whose variable is not set
     * is left out (as if it were not written) instead of failing the start; one that is set stays, harmlessly.
     */
    private void dropUnsetInactiveSlackSettings(JsonNode slack) {
        if (!(slack instanceof ObjectNode section)) {
            return;
        }
        JsonNode modeNode = section.get("mode");
        String mode = modeNode == null || modeNode.isNull() ? "socket"
                : expand(modeNode.asText(), "slack.mode", new ArrayList<>()).trim().toLowerCase(Locale.ROOT);
        List<String> inactive = switch (mode) {
            case "socket", "" -> List.of("signingSecret", "port", "path");
            case "http" -> List.of("appToken");
            default -> List.of(); // an unknown mode is reported by the validator; nothing is guessed
        };
        for (String key : inactive) {
            JsonNode value = section.get(key);
            if (value != null && value.isTextual() && !unsetVariables(value.asText()).isEmpty()) {
                section.remove(key);
            }
        }
    }

    /** The variables in {@code value} that are neither set nor given a default. */
    private List<String> unsetVariables(String value) {
        List<String> unset = new ArrayList<>();
        Matcher m = VARIABLE.matcher(value);
        while (m.find()) {
            if (environment.apply(m.group(1)) == null && m.group(2) == null) {
                unset.add(m.group(1));
            }
        }
        return unset;
    }

    private void substitute(JsonNode node, String where, List<String> problems) {
        if (node instanceof ObjectNode object) {
            Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
            List<Map.Entry<String, JsonNode>> replacements = new ArrayList<>();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                String path = where.isEmpty() ? field.getKey() : where + "." + field.getKey();
                if (field.getValue().isTextual()) {
                    replacements.add(Map.entry(field.getKey(), new TextNode(expand(field.getValue().asText(), path, problems))));
                } else {
                    substitute(field.getValue(), path, problems);
                }
            }
            replacements.forEach(r -> object.set(r.getKey(), r.getValue()));
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                JsonNode element = node.get(i);
                if (element.isTextual()) {
                    ((com.fasterxml.jackson.databind.node.ArrayNode) node)
                            .set(i, new TextNode(expand(element.asText(), where + "[" + i + "]", problems)));
                } else {
                    substitute(element, where + "[" + i + "]", problems);
                }
            }
        }
    }

    private String expand(String value, String path, List<String> problems) {
        Matcher m = VARIABLE.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String found = environment.apply(m.group(1));
            if (found == null) {
                found = m.group(2);
            }
            if (found == null) {
                problems.add(path + " needs the environment variable " + m.group(1) + ", which is not set");
                found = "";
            }
            m.appendReplacement(out, Matcher.quoteReplacement(found));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String path(List<com.fasterxml.jackson.databind.JsonMappingException.Reference> refs) {
        StringBuilder out = new StringBuilder();
        for (var ref : refs) {
            if (ref.getFieldName() != null) {
                out.append(out.length() == 0 ? "" : ".").append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                out.append('[').append(ref.getIndex()).append(']');
            }
        }
        return out.length() == 0 ? "the top level" : out.toString();
    }

    static boolean isHttpUrl(String url) {
        try {
            URI uri = URI.create(url);
            return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
