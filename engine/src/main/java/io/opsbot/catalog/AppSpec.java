package io.opsbot.catalog;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One app of the catalog, read from {@code config/apps/<name>/app.yaml} with its defaults applied and validated.
 * The fields are described in {@code config/apps/nodeapp/app.yaml}.
 *
 * @param name         the app's folder name, the name users type in chat ({@code nodeapp})
 * @param id           the Marathon app id ({@code /nodeapp})
 * @param image        the image repository without registry host or tag ({@code nodeapp})
 * @param dir          the app's folder
 * @param buildContext the Docker build context (the {@code build} field resolved against {@code dir})
 * @param template     the Marathon template's file name inside {@code dir}
 * @param instances    the number of instances a deploy asks for
 * @param limits       the bounds {@code scale} accepts
 * @param cpus         CPU shares per instance
 * @param mem          memory per instance in MiB
 * @param dataset      the Flocker dataset of a stateful app, or null for a stateless one
 * @param healthCheck  the HTTP health check, or null when the app has none
 * @param env          environment variables of the container
 * @param constraints  Marathon constraints as written in app.yaml (without the pinning one, see {@code node})
 * @param node         the node a stateful app is pinned to by a {@code hostname:CLUSTER} constraint, or null
 */
public record AppSpec(
        String name,
        String id,
        String image,
        Path dir,
        Path buildContext,
        String template,
        int instances,
        Limits limits,
        double cpus,
        int mem,
        Dataset dataset,
        HealthCheck healthCheck,
        Map<String, String> env,
        List<List<String>> constraints,
        String node) {

    public AppSpec {
        env = Map.copyOf(env);
        constraints = constraints.stream().map(List::copyOf).toList();
    }

    /** An app with a Flocker dataset: it runs once, on the dataset's node. */
    public boolean stateful() {
        return dataset != null;
    }

    /** The template file. */
    public Path templateFile() {
        return dir.resolve(template);
    }

    /** The bounds {@code scale} accepts. */
    public record Limits(int minInstances, int maxInstances) {}

    /**
     * A Flocker dataset.
     *
     * @param name the dataset's name (its metadata {@code name} in Flocker, the docker volume name)
     * @param size its maximum size as written in app.yaml: a number of bytes or a number with a unit
     *             (K, M, G, T and KiB…TiB, all powers of 1024, as Flocker's docker plugin reads them)
     */
    public record Dataset(String name, String size) {

        private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([KMGT]?)(i?B)?", Pattern.CASE_INSENSITIVE);

        /** The size in bytes, as Flocker's {@code maximum_size} wants it. */
        public long sizeBytes() {
            return parseSize(size);
        }

        /** Bytes of a size such as {@code 10G}, {@code 512MiB} or {@code 1073741824}; -1 when it is not one. */
        static long parseSize(String text) {
            if (text == null) {
                return -1;
            }
            Matcher m = SIZE.matcher(text.trim());
            if (!m.matches()) {
                return -1;
            }
            int shift = switch (m.group(2).toUpperCase(Locale.ROOT)) {
                case "K" -> 10;
                case "M" -> 20;
                case "G" -> 30;
                case "T" -> 40;
                default -> 0;
            };
            try {
                long value = Long.parseLong(m.group(1));
                return Math.multiplyExact(value, 1L << shift);
            } catch (ArithmeticException | NumberFormatException e) {
                return -1;
            }
        }
    }

    /** Marathon's HTTP health check on the container port at {@code portIndex}. */
    public record HealthCheck(
            String path, int portIndex, int gracePeriodSeconds, int intervalSeconds, int maxConsecutiveFailures) {}
}
