package io.opsbot.engine.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opsbot.engine.OpsException;
import io.opsbot.engine.TransientException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * Pushes an image through the Docker Registry v2 API without a Docker engine: one config blob and a schema 2
 * manifest without layers. It stands in for a build where no engine is configured (the emulated cluster), so
 * the push and the digest check are still real HTTP. The blob's bytes depend only on the reference, so pushing
 * the same reference twice gives the same digest.
 */
final class RegistryPusher {

    static final String MANIFEST_V2 = "application/vnd.docker.distribution.manifest.v2+json";
    private static final String CONFIG_V1 = "application/vnd.docker.container.image.v1+json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpUrl base;
    private final OkHttpClient http;

    RegistryPusher(String baseUrl, OkHttpClient http) {
        HttpUrl url = HttpUrl.parse(baseUrl);
        if (url == null) {
            throw new OpsException("cluster.registry.url is not a URL: " + baseUrl);
        }
        this.base = url;
        this.http = http;
    }

    /** The manifest the pusher would send for {@code repository:tag}, as bytes. */
    static byte[] manifestFor(String repository, String tag) {
        byte[] config = configFor(repository, tag);
        ObjectNode manifest = JSON.createObjectNode().put("schemaVersion", 2).put("mediaType", MANIFEST_V2);
        manifest.putObject("config").put("mediaType", CONFIG_V1).put("size", config.length).put("digest", sha256(config));
        manifest.putArray("layers");
        return bytes(manifest);
    }

    /** The digest the registry gives the manifest of {@code repository:tag} once pushed. */
    static String digestFor(String repository, String tag) {
        return sha256(manifestFor(repository, tag));
    }

    /** Pushes the config blob and the manifest; returns the manifest's digest as the registry reports it. */
    String push(String repository, String tag) {
        byte[] config = configFor(repository, tag);
        String configDigest = sha256(config);
        Response start = call(new Request.Builder().url(url("v2/" + repository + "/blobs/uploads/"))
                .post(RequestBody.create(new byte[0], null)).build(), "start a blob upload of " + repository);
        String location = start.header("Location");
        start.close();
        if (location == null) {
            throw new OpsException("the registry started an upload of " + repository + " without a Location header");
        }
        HttpUrl upload = base.resolve(location);
        if (upload == null) {
            throw new OpsException("the registry answered an unusable upload location: " + location);
        }
        call(new Request.Builder().url(upload.newBuilder().addQueryParameter("digest", configDigest).build())
                .put(RequestBody.create(config, MediaType.get("application/octet-stream"))).build(),
                "upload the config blob of " + repository).close();
        try (Response put = call(new Request.Builder().url(url("v2/" + repository + "/manifests/" + tag))
                .put(RequestBody.create(manifestFor(repository, tag), MediaType.get(MANIFEST_V2))).build(),
                "put the manifest of " + repository + ":" + tag)) {
            String digest = put.header("Docker-Content-Digest");
            return digest != null ? digest : digestFor(repository, tag);
        }
    }

    /** The config digest of {@code repository:tag}'s manifest (the image id), or empty when the tag is absent. */
    Optional<String> configDigest(String repository, String tag) {
        Request get = new Request.Builder().url(url("v2/" + repository + "/manifests/" + tag))
                .header("Accept", MANIFEST_V2).get().build();
        try (Response response = http.newCall(get).execute()) {
            if (response.code() == 404) {
                return Optional.empty();
            }
            if (!response.isSuccessful()) {
                throw failure(response.code(), "read the manifest of " + repository + ":" + tag);
            }
            JsonNode manifest = JSON.readTree(response.body().bytes());
            String digest = manifest.path("config").path("digest").asText("");
            return digest.isEmpty() ? Optional.empty() : Optional.of(digest);
        } catch (IOException e) {
            throw new TransientException("cannot reach the registry at " + base + ": " + e.getMessage(), e);
        }
    }

    private Response call(Request request, String what) {
        try {
            Response response = http.newCall(request).execute();
            if (!response.isSuccessful()) {
                int code = response.code();
                response.close();
                throw failure(code, what);
            }
            return response;
        } catch (IOException e) {
            throw new TransientException("cannot reach the registry at " + base + " to " + what + ": " + e.getMessage(), e);
        }
    }

    private OpsException failure(int code, String what) {
        String message = "the registry at " + base + " answered " + code + " when asked to " + what;
        return code >= 500 ? new TransientException(message) : new OpsException(message);
    }

    private HttpUrl url(String path) {
        return base.newBuilder().encodedPath("/" + path).build();
    }

    private static byte[] configFor(String repository, String tag) {
        ObjectNode config = JSON.createObjectNode().put("architecture", "amd64").put("os", "linux");
        config.putObject("config").putObject("Labels")
                .put("io.opsbot.emulated", "true").put("io.opsbot.image", repository + ":" + tag);
        config.putObject("rootfs").put("type", "layers").putArray("diff_ids");
        return bytes(config);
    }

    private static byte[] bytes(JsonNode node) {
        try {
            return JSON.writeValueAsString(node).getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
