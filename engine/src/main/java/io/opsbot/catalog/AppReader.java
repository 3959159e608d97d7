package io.opsbot.catalog;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** Reads one app folder's app.yaml into an {@link AppSpec}, collecting every problem instead of stopping at the first. */
final class AppReader {

    static final String APP_FILE = "app.yaml";
    static final String DEFAULT_TEMPLATE = "marathon.json.j2";
    static final String DEFAULT_BUILD = ".";
    static final int DEFAULT_INSTANCES = 1;
    static final double DEFAULT_CPUS = 0.1;
    static final int DEFAULT_MEM = 128;
    // A stateless app may be scaled up to this many instances unless its limits say otherwise.
    static final int DEFAULT_MAX_INSTANCES = 10;
    static final int DEFAULT_GRACE_PERIOD_SECONDS = 60;
    static final int DEFAULT_INTERVAL_SECONDS = 10;
    static final int DEFAULT_MAX_CONSECUTIVE_FAILURES = 3;

    static final Pattern APP_NAME = Pattern.compile("[a-z0-9]([a-z0-9-]*[a-z0-9])?");
    // Marathon's path segment rule (PathId validation): lower-case labels joined by dots.
    private static final Pattern MARATHON_SEGMENT =
            Pattern.compile("(([a-z0-9]|[a-z0-9][a-z0-9-]*[a-z0-9])\\.)*([a-z0-9]|[a-z0-9][a-z0-9-]*[a-z0-9])");
    // Docker's repository path component rule (distribution/reference).
    private static final Pattern REPOSITORY_COMPONENT = Pattern.compile("[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern NODE_NAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?");
    private static final Pattern DATASET_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*");
    private static final Set<String> CONSTRAINT_OPERATORS =
            Set.of("UNIQUE", "CLUSTER", "GROUP_BY", "LIKE", "UNLIKE", "MAX_PER", "IS");

    private final ObjectMapper yaml = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    /** The app, or the problems that keep it from loading (each names the file and the field). */
    record Result(AppSpec app, List<String> problems) {}

    Result read(Path appDir) {
        Path file = appDir.resolve(APP_FILE);
        List<String> problems = new ArrayList<>();
        String name = appDir.getFileName().toString();
        if (!APP_NAME.matcher(name).matches()) {
            problems.add(appDir + ": the folder name '" + name
                    + "' is not a valid app name (lower-case letters, digits and '-')");
        }
        if (!Files.isRegularFile(file)) {
            problems.add(appDir + ": no " + APP_FILE);
            return new Result(null, problems);
        }
        AppYaml raw;
        try {
            raw = yaml.readValue(file.toFile(), AppYaml.class);
        } catch (JsonProcessingException e) {
            problems.add(file + ": " + describe(e, file));
            return new Result(null, problems);
        } catch (IOException e) {
            problems.add(file + ": cannot be read: " + e.getMessage());
            return new Result(null, problems);
        }
        if (raw == null) {
            problems.add(file + ": is empty");
            return new Result(null, problems);
        }
        AppSpec app = validate(name, appDir, file, raw, new Problems(file, problems));
        return new Result(problems.isEmpty() ? app : null, problems);
    }

    /** Collects "file: field 'x': message" lines. */
    private record Problems(Path file, List<String> list) {
        void add(String field, String message) {
            list.add(file + ": field '" + field + "': " + message);
        }
    }

    private AppSpec validate(String name, Path dir, Path file, AppYaml raw, Problems problems) {
        String id = raw.id();
        if (id == null || id.isBlank()) {
            problems.add("id", "is required (the Marathon app id, e.g. /" + name + ")");
        } else if (!id.startsWith("/") || id.length() == 1 || !validMarathonPath(id.substring(1))) {
            problems.add("id", "'" + id + "' is not a Marathon app id: it starts with '/' and has lower-case"
                    + " segments of letters, digits, '-' and '.' (e.g. /" + name + ")");
        }

        String image = raw.image();
        if (image == null || image.isBlank()) {
            problems.add("image", "is required (the image repository without registry host, e.g. " + name + ")");
        } else {
            validateImage(image, problems);
        }

        String build = raw.build() == null ? DEFAULT_BUILD : raw.build();
        Path buildContext = dir.resolve(build).normalize();
        if (!Files.isDirectory(buildContext)) {
            problems.add("build", "folder " + buildContext + " does not exist");
        } else if (!Files.isRegularFile(buildContext.resolve("Dockerfile"))) {
            problems.add("build", "folder " + buildContext + " has no Dockerfile");
        }

        String template = raw.template() == null ? DEFAULT_TEMPLATE : raw.template();
        if (template.isBlank() || !Files.isRegularFile(dir.resolve(template))) {
            problems.add("template", "file " + dir.resolve(template) + " does not exist");
        }

        AppSpec.Dataset dataset = null;
        if (raw.dataset() != null) {
            dataset = new AppSpec.Dataset(raw.dataset().name(), raw.dataset().size());
            if (dataset.name() == null || !DATASET_NAME.matcher(dataset.name()).matches()) {
                problems.add("dataset.name", dataset.name() == null ? "is required"
                        : "'" + dataset.name() + "' is not a dataset name (letters, digits, '_', '.', '-')");
            }
            if (dataset.size() == null) {
                problems.add("dataset.size", "is required (e.g. 10G)");
            } else if (dataset.sizeBytes() <= 0) {
                problems.add("dataset.size", "'" + dataset.size()
                        + "' is not a size (a number of bytes, or a number with K, M, G or T, e.g. 10G)");
            }
        }
        boolean stateful = dataset != null;

        int instances = raw.instances() == null ? DEFAULT_INSTANCES : raw.instances();
        if (instances < 0) {
            problems.add("instances", "must be 0 or more, not " + instances);
        }
        int min = raw.limits() == null || raw.limits().minInstances() == null ? 0 : raw.limits().minInstances();
        int defaultMax = stateful ? 1 : Math.max(DEFAULT_MAX_INSTANCES, instances);
        int max = raw.limits() == null || raw.limits().maxInstances() == null
                ? defaultMax : raw.limits().maxInstances();
        if (min < 0) {
            problems.add("limits.minInstances", "must be 0 or more, not " + min);
        }
        if (max < min) {
            problems.add("limits.maxInstances", max + " is below limits.minInstances " + min);
        }
        if (instances >= 0 && max >= min && (instances < min || instances > max)) {
            problems.add("instances", instances + " is outside limits " + min + ".." + max);
        }
        if (stateful && max > 1) {
            problems.add("limits.maxInstances", "a stateful app (with a dataset) runs at most 1 instance, not " + max);
        }

        double cpus = raw.cpus() == null ? DEFAULT_CPUS : raw.cpus();
        if (!(cpus > 0)) {
            problems.add("cpus", "must be more than 0, not " + cpus);
        }
        int mem = raw.mem() == null ? DEFAULT_MEM : raw.mem();
        if (mem <= 0) {
            problems.add("mem", "must be more than 0 (MiB), not " + mem);
        }

        AppSpec.HealthCheck healthCheck = null;
        if (raw.healthCheck() != null) {
            AppYaml.HealthCheckYaml h = raw.healthCheck();
            healthCheck = new AppSpec.HealthCheck(
                    h.path(),
                    h.portIndex() == null ? 0 : h.portIndex(),
                    h.gracePeriodSeconds() == null ? DEFAULT_GRACE_PERIOD_SECONDS : h.gracePeriodSeconds(),
                    h.intervalSeconds() == null ? DEFAULT_INTERVAL_SECONDS : h.intervalSeconds(),
                    h.maxConsecutiveFailures() == null ? DEFAULT_MAX_CONSECUTIVE_FAILURES : h.maxConsecutiveFailures());
            if (h.path() == null || !h.path().startsWith("/")) {
                problems.add("healthCheck.path", h.path() == null ? "is required (e.g. /health)"
                        : "'" + h.path() + "' must start with '/'");
            }
            if (healthCheck.portIndex() < 0) {
                problems.add("healthCheck.portIndex", "must be 0 or more");
            }
            if (healthCheck.gracePeriodSeconds() < 0) {
                problems.add("healthCheck.gracePeriodSeconds", "must be 0 or more");
            }
            if (healthCheck.intervalSeconds() <= 0) {
                problems.add("healthCheck.intervalSeconds", "must be more than 0");
            }
            if (healthCheck.maxConsecutiveFailures() < 0) {
                problems.add("healthCheck.maxConsecutiveFailures", "must be 0 or more");
            }
        }

        Map<String, String> env = new LinkedHashMap<>();
        if (raw.env() != null) {
            raw.env().forEach((key, value) -> {
                if (!ENV_NAME.matcher(key).matches()) {
                    problems.add("env", "'" + key + "' is not an environment variable name");
                } else if (value == null) {
                    problems.add("env." + key, "has no value (write \"\" for an empty one)");
                } else {
                    env.put(key, value);
                }
            });
        }

        String node = raw.node();
        if (node != null && !NODE_NAME.matcher(node).matches()) {
            problems.add("node", "'" + node + "' is not a host name");
        }
        if (stateful && node == null) {
            problems.add("node", "is required for a stateful app: the node its dataset starts on (e.g. node2)");
        }

        List<List<String>> constraints = raw.constraints() == null ? List.of() : raw.constraints();
        for (int i = 0; i < constraints.size(); i++) {
            validateConstraint(constraints.get(i), "constraints[" + i + "]", node, problems);
        }

        if (!problems.list().isEmpty()) {
            return null;
        }
        return new AppSpec(name, id, image, dir, buildContext, template, instances, new AppSpec.Limits(min, max),
                cpus, mem, dataset, healthCheck, env, constraints, node);
    }

    private static boolean validMarathonPath(String path) {
        for (String segment : path.split("/", -1)) {
            if (!MARATHON_SEGMENT.matcher(segment).matches()) {
                return false;
            }
        }
        return true;
    }

    private static void validateImage(String image, Problems problems) {
        String[] components = image.split("/", -1);
        if (components.length > 1 && (components[0].contains(".") || components[0].contains(":")
                || components[0].equals("localhost"))) {
            problems.add("image", "'" + image + "' names a registry host; write the repository only ("
                    + image.substring(image.indexOf('/') + 1).replaceFirst("[:@].*", "")
                    + "): the registry comes from the cluster configuration");
            return;
        }
        if (image.contains(":") || image.contains("@")) {
            problems.add("image", "'" + image + "' has a tag or digest; write the repository only ("
                    + image.replaceFirst("[:@].*", "") + "): the version is chosen at deploy time");
            return;
        }
        for (String component : components) {
            if (!REPOSITORY_COMPONENT.matcher(component).matches()) {
                problems.add("image", "'" + image
                        + "' is not an image repository (lower-case letters, digits, '.', '_', '-', parts joined by '/')");
                return;
            }
        }
    }

    private static void validateConstraint(List<String> constraint, String field, String node, Problems problems) {
        if (constraint == null || constraint.size() < 2 || constraint.size() > 3
                || constraint.stream().anyMatch(part -> part == null || part.isBlank())) {
            problems.add(field, "must be [field, OPERATOR] or [field, OPERATOR, value], e.g. [hostname, UNIQUE]");
            return;
        }
        String operator = constraint.get(1);
        if (!CONSTRAINT_OPERATORS.contains(operator)) {
            problems.add(field, "unknown operator '" + operator + "' (known: "
                    + CONSTRAINT_OPERATORS.stream().sorted().collect(Collectors.joining(", ")) + ")");
        }
        if (node != null && constraint.get(0).equals("hostname") && operator.equals("CLUSTER")) {
            problems.add(field, "pins the app to a host while 'node' does too; keep only 'node'");
        }
    }

    /** A YAML or mapping error as one line: where, which field, what was expected. */
    private static String describe(JsonProcessingException e, Path file) {
        JsonLocation where = e.getLocation();
        String line = where == null || where.getLineNr() < 1 ? "" : "line " + where.getLineNr() + ": ";
        if (e instanceof UnrecognizedPropertyException u) {
            String known = u.getKnownPropertyIds() == null ? "" : u.getKnownPropertyIds().stream()
                    .map(Object::toString).sorted().collect(Collectors.joining(", "));
            // The parser has already moved past the key when it reports it; find the key's own line.
            int keyLine = lineOfKey(file, u.getPropertyName());
            return (keyLine > 0 ? "line " + keyLine + ": " : line)
                    + "unknown field '" + fieldPath(u) + "' (known: " + known + ")";
        }
        if (e instanceof MismatchedInputException m && !m.getPath().isEmpty()) {
            String expected = m.getTargetType() == null ? "another kind of value" : kind(m.getTargetType());
            return line + "field '" + fieldPath(m) + "': expected " + expected;
        }
        return line + "not valid YAML: " + e.getOriginalMessage();
    }

    private static int lineOfKey(Path file, String key) {
        Pattern keyLine = Pattern.compile("\\s*(-\\s+)?[\"']?" + Pattern.quote(key) + "[\"']?\\s*:.*");
        try {
            List<String> lines = Files.readAllLines(file);
            for (int i = 0; i < lines.size(); i++) {
                if (keyLine.matcher(lines.get(i)).matches()) {
                    return i + 1;
                }
            }
        } catch (IOException ignored) {
            // The line number is a courtesy; the message names the field without it.
        }
        return -1;
    }

    private static String fieldPath(JsonMappingException e) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                if (path.length() > 0) {
                    path.append('.');
                }
                path.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        return path.toString();
    }

    private static String kind(Class<?> type) {
        if (type == Integer.class || type == int.class || type == Long.class) {
            return "a whole number";
        }
        if (type == Double.class || type == double.class) {
            return "a number";
        }
        if (type == String.class) {
            return "a text value";
        }
        if (Map.class.isAssignableFrom(type)) {
            return "a map of names to values";
        }
        if (List.class.isAssignableFrom(type)) {
            return "a list";
        }
        return "a map with the fields of " + type.getSimpleName().replace("Yaml", "");
    }
}
