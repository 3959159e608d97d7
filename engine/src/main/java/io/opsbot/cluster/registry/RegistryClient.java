package io.opsbot.cluster.registry;

import static io.opsbot.cluster.http.Json.text;

import com.fasterxml.jackson.databind.JsonNode;
import io.opsbot.cluster.http.ApiCaller;
import io.opsbot.cluster.http.ApiResponse;
import io.opsbot.cluster.http.Auth;
import io.opsbot.cluster.http.ClientMetrics;
import io.opsbot.cluster.http.HttpClients;
import io.opsbot.cluster.http.Json;
import io.opsbot.cluster.http.RetryPolicy;
import io.opsbot.engine.OpsException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;

/** Typed client of a Docker registry (HTTP API v2): ping, catalog, tags, manifest digest of a tag. */
public final class RegistryClient {

    static final String SERVICE = "registry";

    /** Every manifest kind we accept; without them a registry answers with a schema 1 manifest and its digest. */
    static final String MANIFEST_ACCEPT = String.join(", ",
            "application/vnd.docker.distribution.manifest.v2+json",
            "application/vnd.docker.distribution.manifest.list.v2+json",
            "application/vnd.oci.image.manifest.v1+json",
            "application/vnd.oci.image.index.v1+json");

    // The grammar of the distribution spec: path components of lower-case alphanumerics with separators.
    private static final Pattern REPOSITORY = Pattern.compile(
            "^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$");
    private static final Pattern TAG = Pattern.compile("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$");

    private final ApiCaller api;

    public RegistryClient(String baseUrl, Auth auth, OkHttpClient shared) {
        this(baseUrl, auth, shared, ClientMetrics.NOOP, RetryPolicy.DEFAULT);
    }

    public RegistryClient(String baseUrl, Auth auth, OkHttpClient shared, ClientMetrics metrics, RetryPolicy retry) {
        this.api = new ApiCaller("Docker registry", baseUrl, HttpClients.forService(shared, SERVICE, auth, metrics, retry));
    }

    /** GET /v2/: true when the registry speaks API v2 and accepts our credentials. */
    public boolean ping() {
        ApiResponse response = get(api.url().addPathSegment("v2").addPathSegment("").build(), "application/json");
        if (response.code() == 401) {
            throw new OpsException("the Docker registry at " + response.origin() + " refused the credentials (401)");
        }
        if (response.code() >= 500) {
            throw response.serverError(errorMessage(response));
        }
        return response.isSuccessful();
    }

    /** GET /v2/_catalog: the repositories of the registry. */
    public List<String> catalog() {
        ApiResponse response = ok(get(api.url().addPathSegments("v2/_catalog").build(), "application/json"), "the catalog");
        return Json.strings(response.json(), "repositories");
    }

    /** GET /v2/{name}/tags/list; empty when the repository does not exist (NAME_UNKNOWN) or has no tags. */
    public List<String> tags(String repository) {
        HttpUrl url = repoUrl(repository).addPathSegment("tags").addPathSegment("list").build();
        ApiResponse response = get(url, "application/json");
        if (response.code() == 404) {
            return List.of();
        }
        return Json.strings(ok(response, "repository " + repository).json(), "tags");
    }

    /**
     * The digest of {@code repository:tag} (HEAD /v2/{name}/manifests/{tag}, header Docker-Content-Digest), or
     * empty when the tag does not exist. A registry that omits the header gets a GET and the digest is computed
     * from the manifest bytes, as the registry itself does.
     */
    public Optional<String> manifestDigest(String repository, String tag) {
        if (tag == null || !TAG.matcher(tag).matches()) {
            throw new OpsException("'" + tag + "' is not a valid image tag");
        }
        HttpUrl url = repoUrl(repository).addPathSegment("manifests").addPathSegment(tag).build();
        ApiResponse head = api.send(new Request.Builder().url(url).head().header("Accept", MANIFEST_ACCEPT).build());
        if (head.code() == 404) {
            return Optional.empty();
        }
        ok(head, repository + ":" + tag);
        String digest = head.header("Docker-Content-Digest");
        if (digest != null && !digest.isBlank()) {
            return Optional.of(digest.strip());
        }
        ApiResponse get = get(url, MANIFEST_ACCEPT);
        if (get.code() == 404) {
            return Optional.empty();
        }
        ok(get, repository + ":" + tag);
        digest = get.header("Docker-Content-Digest");
        return Optional.of(digest != null && !digest.isBlank() ? digest.strip() : sha256(get.body()));
    }

    private HttpUrl.Builder repoUrl(String repository) {
        if (repository == null || repository.length() > 255 || !REPOSITORY.matcher(repository).matches()) {
            throw new OpsException("'" + repository + "' is not a valid repository name");
        }
        HttpUrl.Builder builder = api.url().addPathSegment("v2");
        for (String segment : repository.split("/")) {
            builder.addPathSegment(segment);
        }
        return builder;
    }

    private ApiResponse get(HttpUrl url, String accept) {
        return api.send(new Request.Builder().url(url).get().header("Accept", accept).build());
    }

    private static ApiResponse ok(ApiResponse response, String subject) {
        if (response.isSuccessful()) {
            return response;
        }
        if (response.code() >= 500) {
            throw response.serverError(errorMessage(response));
        }
        if (response.code() == 401 || response.code() == 403) {
            throw new OpsException("the Docker registry at " + response.origin() + " refused access to " + subject
                    + " (" + response.code() + ")");
        }
        throw new OpsException("the Docker registry at " + response.origin() + " answered " + response.code()
                + " for " + subject + ": " + errorMessage(response));
    }

    /** The registry's error shape: {"errors": [{"code": "MANIFEST_UNKNOWN", "message": "...", "detail": ...}]}. */
    static String errorMessage(ApiResponse response) {
        JsonNode body = response.jsonOrNull();
        List<String> errors = Json.list(body, "errors", e -> text(e, "code", "") + ": " + text(e, "message", ""));
        return errors.isEmpty() ? response.excerpt() : String.join("; ", errors);
    }

    private static String sha256(String body) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(body.getBytes(StandardCharsets.UTF_8));
            return "sha256:" + HexFormat.of().formatHex(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
