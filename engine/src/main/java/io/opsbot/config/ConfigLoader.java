package io.opsbot.config;

import io.opsbot.config.YamlTree.Mapping;
import io.opsbot.config.YamlTree.Scalar;
import io.opsbot.config.YamlTree.Sequence;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Loads {@code opsbot.yaml}: YAML onto records, {@code ${ENV_VAR}} (or {@code ${ENV_VAR:-default}}) substituted
 * in every string value (after parsing, so a secret's characters can never change the YAML's structure), then
 * validated with every problem listed at once. The YAML is read by SnakeYAML's composer ({@link YamlTree}) and bound
 * by hand ({@link ConfigBinder}), not by Jackson's data binding: an exec reads this file before anything else can
 * start, and Jackson's {@code ObjectMapper} and its reflective record binding cost it ~0.2 s (BENCHMARKS.md, item 5).
 */
public final class ConfigLoader {

    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");

    private final Function<String, String> environment;

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
        YamlTree tree;
        try {
            tree = YamlTree.read(text);
        } catch (YamlTree.Invalid e) {
            throw new ConfigException(source, List.of("not valid YAML: " + e.getMessage()
                    + (e.line <= 0 ? "" : " (line " + e.line + ")")));
        }
        if (tree == null || tree instanceof Scalar scalar && scalar.isNull()) {
            tree = new Mapping(new LinkedHashMap<>(), 1);
        }
        if (!(tree instanceof Mapping root)) {
            throw new ConfigException(source, List.of("the top level must be a mapping (cluster:, journal:, slack: …)"));
        }
        dropUnsetInactiveSlackSettings(root.entries().get("slack"));
        substitute(root, "", problems);
        int beforeBinding = problems.size();
        OpsbotConfig config = new ConfigBinder(problems).bind(root);
        if (problems.size() == beforeBinding) {
            // as before: a configuration that could not be bound is not validated (its holes would read as missing)
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
    private void dropUnsetInactiveSlackSettings(YamlTree slack) {
        if (!(slack instanceof Mapping section)) {
            return;
        }
        YamlTree modeNode = section.entries().get("mode");
        String mode = !(modeNode instanceof Scalar m) || m.isNull() ? "socket"
                : expand(m.text(), "slack.mode", new ArrayList<>()).trim().toLowerCase(Locale.ROOT);
        List<String> inactive = switch (mode) {
            case "socket", "" -> List.of("signingSecret", "port", "path");
            case "http" -> List.of("appToken");
            default -> List.of(); // an unknown mode is reported by the validator; nothing is guessed
        };
        for (String key : inactive) {
            if (section.entries().get(key) instanceof Scalar value && value.kind() == YamlTree.Kind.TEXT
                    && !unsetVariables(value.text()).isEmpty()) {
                section.entries().remove(key);
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

    /** Every text in the tree with its variables replaced, in the file's order (so are its problems). */
    private void substitute(YamlTree node, String where, List<String> problems) {
        if (node instanceof Mapping mapping) {
            for (Map.Entry<String, YamlTree> entry : mapping.entries().entrySet()) {
                String path = where.isEmpty() ? entry.getKey() : where + "." + entry.getKey();
                entry.setValue(substituted(entry.getValue(), path, problems));
            }
        } else if (node instanceof Sequence sequence) {
            for (int i = 0; i < sequence.items().size(); i++) {
                sequence.items().set(i, substituted(sequence.items().get(i), where + "[" + i + "]", problems));
            }
        }
    }

    private YamlTree substituted(YamlTree value, String path, List<String> problems) {
        if (value instanceof Scalar scalar) {
            if (scalar.kind() != YamlTree.Kind.TEXT) {
                return scalar; // numbers, switches and nulls hold no ${VAR}
            }
            String expanded = expand(scalar.text(), path, problems);
            return expanded.equals(scalar.text()) ? scalar
                    : new Scalar(expanded, YamlTree.Kind.TEXT, true, scalar.line());
        }
        substitute(value, path, problems);
        return value;
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

    static boolean isHttpUrl(String url) {
        try {
            URI uri = URI.create(url);
            return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
