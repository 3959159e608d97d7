package io.opsbot.cluster.marathon;

import static io.opsbot.cluster.http.Json.at;
import static io.opsbot.cluster.http.Json.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opsbot.cluster.http.ApiCaller;
import io.opsbot.cluster.http.ApiResponse;
import io.opsbot.cluster.http.Auth;
import io.opsbot.cluster.http.ClientMetrics;
import io.opsbot.cluster.http.HttpClients;
import io.opsbot.cluster.http.Json;
import io.opsbot.cluster.http.RetryPolicy;
import io.opsbot.engine.OpsException;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;

/**
 * Typed client of Marathon's REST API v2. Failures arrive as typed exceptions: {@link AppLockedException} (409),
 * {@link ValidationException} (422), {@link BadRequestException} (400), {@link NotFoundException} (404),
 * {@link AuthException} (401/403), {@link io.opsbot.engine.TransientException} (unreachable, 5xx).
 */
public final class MarathonClient {

    static final String SERVICE = "marathon";
    // One path segment of a Marathon id: lower-case letters, digits, dashes and dots, as Marathon validates it.
    private static final Pattern ID_SEGMENT = Pattern.compile("^(([a-z0-9]|[a-z0-9][a-z0-9\\-]*[a-z0-9])\\.)*([a-z0-9]|[a-z0-9][a-z0-9\\-]*[a-z0-9])$");

    private final ApiCaller api;

    public MarathonClient(String baseUrl, Auth auth, OkHttpClient shared) {
        this(baseUrl, auth, shared, ClientMetrics.NOOP, RetryPolicy.DEFAULT);
    }

    public MarathonClient(String baseUrl, Auth auth, OkHttpClient shared, ClientMetrics metrics, RetryPolicy retry) {
        this.api = new ApiCaller("Marathon", baseUrl,
                HttpClients.forService(shared, SERVICE, auth, metrics, retry));
    }

    public String baseUrl() {
        return api.base().toString();
    }

    // ---- apps -------------------------------------------------------------------------------------------

    /** GET /v2/apps with the given embeds. */
    public List<App> apps(Embed... embed) {
        HttpUrl url = withEmbeds(api.url().addPathSegments("v2/apps"), embed).build();
        return Json.list(get(url, "the app list", null).json(), "apps", App::parse);
    }

    /** GET /v2/apps/{id}; throws {@link NotFoundException} ("no app /x in Marathon") when it does not exist. */
    public App app(String appId, Embed... embed) {
        String id = normalizeId(appId);
        HttpUrl url = withEmbeds(appUrl(id), embed).build();
        return App.parse(at(get(url, "app " + id, id).json(), "app"));
    }

    /** Like {@link #app} but empty instead of NotFoundException. */
    public Optional<App> findApp(String appId, Embed... embed) {
        try {
            return Optional.of(app(appId, embed));
        } catch (NotFoundException e) {
            return Optional.empty();
        }
    }

    /** POST /v2/apps: creates the app; returns it as Marathon stored it (with its first deployment). */
    public App createApp(JsonNode definition) {
        String id = normalizeId(text(definition, "id"));
        ObjectNode body = definition.deepCopy();
        body.put("id", id);
        HttpUrl url = api.url().addPathSegments("v2/apps").build();
        ApiResponse response = send(new Request.Builder().url(url).post(ApiCaller.jsonBody(body)).build(), "app " + id, id);
        return App.parse(response.json());
    }

    /**
     * PUT /v2/apps/{id} with the full (or partial) definition. {@code force} overrides a lock held by another
     * deployment; it is the caller's explicit choice, never a retry strategy. Every PUT starts a deployment,
     * even when nothing changed, so compare first ({@link AppDefinitions#diff}).
     */
    public DeploymentRef updateApp(String appId, JsonNode definition, boolean force) {
        String id = normalizeId(appId);
        ObjectNode body = definition.deepCopy();
        body.put("id", id);
        return change(put(withForce(appUrl(id), force).build(), ApiCaller.jsonBody(body)), "app " + id, id);
    }

    /** PUT /v2/apps/{id} with only {"instances": n}. */
    public DeploymentRef scale(String appId, int instances, boolean force) {
        if (instances < 0) {
            throw new OpsException("instances must be 0 or more, not " + instances);
        }
        String id = normalizeId(appId);
        ObjectNode body = Json.MAPPER.createObjectNode().put("instances", instances);
        return change(put(withForce(appUrl(id), force).build(), ApiCaller.jsonBody(body)), "app " + id, id);
    }

    /** POST /v2/apps/{id}/restart: replaces every task by a rolling restart. */
    public DeploymentRef restart(String appId, boolean force) {
        String id = normalizeId(appId);
        HttpUrl url = withForce(appUrl(id).addPathSegment("restart"), force).build();
        return change(new Request.Builder().url(url).post(RequestBody.create(new byte[0], ApiCaller.JSON)).build(),
                "app " + id, id);
    }

    /** DELETE /v2/apps/{id}. */
    public DeploymentRef deleteApp(String appId, boolean force) {
        String id = normalizeId(appId);
        HttpUrl url = withForce(appUrl(id), force).build();
        return change(new Request.Builder().url(url).delete().build(), "app " + id, id);
    }

    // ---- versions ---------------------------------------------------------------------------------------

    /** GET /v2/apps/{id}/versions: newest first, as Marathon lists them. */
    public List<String> versions(String appId) {
        String id = normalizeId(appId);
        HttpUrl url = appUrl(id).addPathSegment("versions").build();
        return Json.strings(get(url, "app " + id, id).json(), "versions");
    }

    /** GET /v2/apps/{id}/versions/{version}: the definition stored at that version. */
    public App version(String appId, String version) {
        String id = normalizeId(appId);
        if (version == null || version.isBlank()) {
            throw new OpsException("a version of " + id + " is needed");
        }
        HttpUrl url = appUrl(id).addPathSegment("versions").addPathSegment(version).build();
        return App.parse(get(url, "version " + version + " of app " + id, id).json());
    }

    // ---- deployments ------------------------------------------------------------------------------------

    /** GET /v2/deployments. */
    public List<Deployment> deployments() {
        HttpUrl url = api.url().addPathSegments("v2/deployments").build();
        return Json.list(get(url, "deployment list", null).json(), Deployment::parse);
    }

    /** DELETE /v2/deployments/{id}: stops the deployment and starts one that rolls its apps back. */
    public DeploymentRef rollbackDeployment(String deploymentId) {
        HttpUrl url = deploymentUrl(deploymentId).build();
        return change(new Request.Builder().url(url).delete().build(), "deployment " + deploymentId, null);
    }

    /** DELETE /v2/deployments/{id}?force=true: stops the deployment where it is, without a rollback. */
    public void cancelDeployment(String deploymentId) {
        HttpUrl url = deploymentUrl(deploymentId).addQueryParameter("force", "true").build();
        send(new Request.Builder().url(url).delete().build(), "deployment " + deploymentId, null);
    }

    // ---- tasks, queue, info -----------------------------------------------------------------------------

    /** GET /v2/tasks. */
    public List<Task> tasks() {
        HttpUrl url = api.url().addPathSegments("v2/tasks").build();
        return Json.list(get(url, "task list", null).json(), "tasks", Task::parse);
    }

    /** GET /v2/apps/{id}/tasks. */
    public List<Task> appTasks(String appId) {
        String id = normalizeId(appId);
        HttpUrl url = appUrl(id).addPathSegment("tasks").build();
        return Json.list(get(url, "app " + id, id).json(), "tasks", Task::parse);
    }

    /** GET /v2/queue. */
    public List<QueueItem> queue() {
        HttpUrl url = api.url().addPathSegments("v2/queue").build();
        return Json.list(get(url, "launch queue", null).json(), "queue", QueueItem::parse);
    }

    /**
     * GET /v2/queue?embed=lastUnusedOffers: what waits for offers, with Marathon's offer summary and the last offers it
     * could not use, each with its reasons (InsufficientMemory, UnfulfilledConstraint…).
     */
    public List<QueueItem> launchQueue() {
        HttpUrl url = api.url().addPathSegments("v2/queue").addQueryParameter("embed", "lastUnusedOffers").build();
        return Json.list(get(url, "launch queue", null).json(), "queue", QueueItem::parse);
    }

    /** GET /v2/info. */
    public MarathonInfo info() {
        return MarathonInfo.parse(get(api.url().addPathSegments("v2/info").build(), "info", null).json());
    }

    /** GET /v2/leader: "host:port" of the leading Marathon. */
    public String leader() {
        return text(get(api.url().addPathSegments("v2/leader").build(), "leader", null).json(), "leader");
    }

    // ---- ids --------------------------------------------------------------------------------------------

    /**
     * "/nodeapp" from "nodeapp" or "/nodeapp"; rejects anything Marathon would not accept as an id, so no
     * user text can change the path of a request.
     */
    public static String normalizeId(String appId) {
        if (appId == null || appId.isBlank()) {
            throw new OpsException("an app id is needed");
        }
        String trimmed = appId.strip();
        String withoutSlash = trimmed.startsWith("/") ? trimmed.substring(1) : trimmed;
        if (withoutSlash.endsWith("/")) {
            withoutSlash = withoutSlash.substring(0, withoutSlash.length() - 1);
        }
        boolean valid = !withoutSlash.isEmpty() && withoutSlash.length() <= 255
                && Arrays.stream(withoutSlash.split("/", -1)).allMatch(s -> ID_SEGMENT.matcher(s).matches());
        if (!valid) {
            throw new OpsException("'" + shorten(appId) + "' is not a valid Marathon app id (lower-case letters, "
                    + "digits, '-' and '.', segments separated by '/')");
        }
        return "/" + withoutSlash;
    }

    private static String shorten(String text) {
        return text.length() <= 60 ? text : text.substring(0, 60) + "…";
    }

    // ---- plumbing ---------------------------------------------------------------------------------------

    private HttpUrl.Builder appUrl(String normalizedId) {
        HttpUrl.Builder builder = api.url().addPathSegments("v2/apps");
        for (String segment : normalizedId.substring(1).split("/")) {
            builder.addPathSegment(segment);
        }
        return builder;
    }

    private HttpUrl.Builder deploymentUrl(String deploymentId) {
        if (deploymentId == null || deploymentId.isBlank()) {
            throw new OpsException("a deployment id is needed");
        }
        return api.url().addPathSegments("v2/deployments").addPathSegment(deploymentId.strip());
    }

    private static HttpUrl.Builder withEmbeds(HttpUrl.Builder builder, Embed... embeds) {
        for (Embed embed : embeds == null ? new Embed[0] : embeds) {
            builder.addQueryParameter("embed", Objects.requireNonNull(embed).value());
        }
        return builder;
    }

    private static HttpUrl.Builder withForce(HttpUrl.Builder builder, boolean force) {
        return force ? builder.addQueryParameter("force", "true") : builder;
    }

    private ApiResponse get(HttpUrl url, String subject, String appId) {
        return send(new Request.Builder().url(url).get().header("Accept", "application/json").build(), subject, appId);
    }

    private static Request put(HttpUrl url, RequestBody body) {
        return new Request.Builder().url(url).put(body).build();
    }

    private ApiResponse send(Request request, String subject, String appId) {
        Request withAccept = request.header("Accept") == null
                ? request.newBuilder().header("Accept", "application/json").build() : request;
        ApiResponse response = api.send(withAccept);
        if (!response.isSuccessful()) {
            throw MarathonErrors.toException(response, subject, appId);
        }
        return response;
    }

    private DeploymentRef change(Request request, String subject, String appId) {
        JsonNode body = send(request, subject, appId).json();
        String deploymentId = text(body, "deploymentId");
        if (deploymentId == null) {
            // POST /v2/apps answers with the app and its deployments instead.
            deploymentId = Json.list(body, "deployments", d -> text(d, "id")).stream().findFirst().orElse(null);
        }
        return new DeploymentRef(deploymentId, text(body, "version"));
    }
}
