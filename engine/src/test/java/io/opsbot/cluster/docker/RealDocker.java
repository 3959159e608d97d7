package io.opsbot.cluster.docker;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/**
 * The real Docker Engine, registry and base image the tests use, from DOCKER_HOST, OPSBOT_TEST_REGISTRY and
 * OPSBOT_TEST_BASE_IMAGE. When one is missing the tests fail under CI=true and are skipped elsewhere.
 */
record RealDocker(String dockerHost, String registry, String baseImage) {

    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

    static RealDocker require() {
        String host = env("DOCKER_HOST").orElse("unix:///var/run/docker.sock");
        List<String> missing = new ArrayList<>();
        Optional<String> registry = env("OPSBOT_TEST_REGISTRY");
        Optional<String> baseImage = env("OPSBOT_TEST_BASE_IMAGE");
        if (registry.isEmpty()) {
            missing.add("OPSBOT_TEST_REGISTRY is not set (e.g. 127.0.0.1:5000)");
        }
        if (baseImage.isEmpty()) {
            missing.add("OPSBOT_TEST_BASE_IMAGE is not set (e.g. opsbot/busybox:latest)");
        }
        if (missing.isEmpty()) {
            try (DockerImages images = new DockerImages(host)) {
                if (!images.available()) {
                    missing.add("no Docker Engine answers at " + host);
                } else if (images.localImageId(baseImage.get()).isEmpty()) {
                    missing.add("the base image " + baseImage.get() + " is not in the Docker Engine at " + host);
                }
            }
            if (!registryAnswers(registry.get())) {
                missing.add("no Docker registry answers on http://" + registry.get() + "/v2/");
            }
        }
        if (!missing.isEmpty()) {
            String why = "real Docker tests need: " + String.join("; ", missing)
                    + " (.ci/services.sh starts them)";
            if ("true".equals(System.getenv("CI"))) {
                fail(why);
            }
            Assumptions.assumeTrue(false, why);
        }
        return new RealDocker(host, registry.get(), baseImage.get());
    }

    /** The registry's manifest digest for name:tag (HEAD with Docker's manifest media types), or empty on 404. */
    Optional<String> registryDigest(String name, String tag) throws IOException, InterruptedException {
        HttpRequest head = HttpRequest.newBuilder(URI.create("http://" + registry + "/v2/" + name + "/manifests/" + tag))
                .method("HEAD", HttpRequest.BodyPublishers.noBody())
                .header("Accept", String.join(", ",
                        "application/vnd.docker.distribution.manifest.v2+json",
                        "application/vnd.docker.distribution.manifest.list.v2+json",
                        "application/vnd.oci.image.manifest.v1+json",
                        "application/vnd.oci.image.index.v1+json"))
                .timeout(Duration.ofSeconds(10))
                .build();
        HttpResponse<Void> response = HTTP.send(head, HttpResponse.BodyHandlers.discarding());
        if (response.statusCode() == 404) {
            return Optional.empty();
        }
        if (response.statusCode() != 200) {
            throw new IOException("HEAD " + head.uri() + " answered " + response.statusCode());
        }
        return response.headers().firstValue("Docker-Content-Digest");
    }

    private static boolean registryAnswers(String registry) {
        try {
            HttpRequest get = HttpRequest.newBuilder(URI.create("http://" + registry + "/v2/"))
                    .timeout(Duration.ofSeconds(5)).build();
            return HTTP.send(get, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException | IllegalArgumentException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static Optional<String> env(String name) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.strip());
    }
}
