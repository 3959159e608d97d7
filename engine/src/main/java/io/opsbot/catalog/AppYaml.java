package io.opsbot.catalog;

import java.util.List;
import java.util.Map;

/** app.yaml as written, before defaults and validation; every field may be missing (null). */
record AppYaml(
        String id,
        String image,
        String build,
        String template,
        Integer instances,
        LimitsYaml limits,
        Double cpus,
        Integer mem,
        DatasetYaml dataset,
        HealthCheckYaml healthCheck,
        Map<String, String> env,
        List<List<String>> constraints,
        String node) {

    record LimitsYaml(Integer minInstances, Integer maxInstances) {}

    record DatasetYaml(String name, String size) {}

    record HealthCheckYaml(
            String path,
            Integer portIndex,
            Integer gracePeriodSeconds,
            Integer intervalSeconds,
            Integer maxConsecutiveFailures) {}
}
