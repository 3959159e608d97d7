package io.opsbot.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/**
 * {@code ./opsbot sim --port 0 --reset}: the emulated cluster as a process of its own, as a user runs it beside
 * {@code ./opsbot exec}; and the opsbot.yaml that points exec at it.
 */
final class SimProcess implements AutoCloseable {

    private static final Pattern MARATHON = Pattern.compile("marathon\\s+(http://127\\.0\\.0\\.1:\\d+)");

    final Process process;
    final String marathonUrl;
    final SimApi api;

    SimProcess(Path repo, Path home) throws IOException {
        this(repo, home, null);
    }

    /** With {@code apps} (a catalog folder), the emulated cluster runs that catalog's apps instead of the repository's. */
    SimProcess(Path repo, Path home, Path apps) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(repo.resolve("opsbot").toString(), "sim", "--port", "0", "--reset")
                .directory(repo.toFile()).redirectErrorStream(true);
        builder.environment().put("OPSBOT_HOME", home.toString());
        builder.environment().remove("OPSBOT_CONFIG");
        if (apps != null) {
            builder.environment().put("OPSBOT_APPS", apps.toString());
        } else {
            builder.environment().remove("OPSBOT_APPS");
        }
        process = builder.start();
        AtomicReference<String> url = new AtomicReference<>();
        StringBuilder said = new StringBuilder();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    synchronized (said) {
                        if (said.length() < 20_000) {
                            said.append(line).append('\n');
                        }
                    }
                    Matcher m = MARATHON.matcher(line);
                    if (m.find()) {
                        url.compareAndSet(null, m.group(1));
                    }
                }
            } catch (IOException e) {
                // the process ended
            }
        }, "bench-sim-output");
        reader.setDaemon(true);
        reader.start();
        try {
            this.marathonUrl = Waits.get("./opsbot sim to say where Marathon listens", Duration.ofMinutes(5), () -> {
                if (!process.isAlive() && url.get() == null) {
                    throw new IllegalStateException("./opsbot sim ended: " + said);
                }
                return url.get();
            });
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        this.api = new SimApi(marathonUrl);
    }

    /** An opsbot.yaml whose cluster section is this emulated cluster's endpoints, with the repository's catalog. */
    Path writeConfig(Path file, Path apps) throws IOException {
        JsonNode e = api.endpoints();
        Map<String, Object> cluster = new LinkedHashMap<>();
        cluster.put("emulated", true);
        cluster.put("marathon", Map.of("url", e.path("marathonUrl").asText()));
        cluster.put("mesos", Map.of("url", e.path("mesosUrl").asText()));
        cluster.put("flocker", Map.of("url", e.path("flockerUrl").asText(), "ca", path(e, "flockerCa"), "cert", path(e, "flockerCert"),
                "key", path(e, "flockerKey")));
        cluster.put("registry", Map.of("url", e.path("registryUrl").asText()));
        cluster.put("weave", Map.of("urls", new ObjectMapper().convertValue(e.path("weaveUrls"), Map.class)));
        cluster.put("ssh", Map.of("user", e.path("sshUser").asText(), "key", path(e, "sshKey"),
                "ports", new ObjectMapper().convertValue(e.path("sshPorts"), Map.class)));
        cluster.put("nodes", new ObjectMapper().convertValue(e.path("nodeAddresses"), Map.class));
        Map<String, Object> yaml = new LinkedHashMap<>();
        yaml.put("cluster", cluster);
        yaml.put("apps", apps.toString());
        new ObjectMapper(new YAMLFactory()).writeValue(file.toFile(), yaml);
        return file;
    }

    /** host:port of the emulated registry, as opsbot names images when a registry URL is configured. */
    String registryHost() {
        return java.net.URI.create(api.endpoints().path("registryUrl").asText()).getAuthority();
    }

    private static String path(JsonNode e, String field) {
        String v = e.path(field).asText();
        return v.startsWith("file:") ? Path.of(java.net.URI.create(v)).toString() : v;
    }

    /** Untimed: until no deployment of {@code appId} runs (Ansible's PUT returns before its deployment ends). */
    void awaitNoDeployment(String appId) {
        Waits.until("the deployments of " + appId + " to end", Duration.ofMinutes(3), () -> {
            for (JsonNode d : api.deployments()) {
                for (JsonNode a : d.path("affectedApps")) {
                    if (a.asText().equals(appId)) {
                        return false;
                    }
                }
            }
            return true;
        });
    }

    String runningVersion(String app) {
        return api.get("/v2/apps/" + app).path("app").path("labels").path("opsbot.version").asText();
    }

    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

}
