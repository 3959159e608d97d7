package io.opsbot.cluster.flocker;

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
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * Typed client of the Flocker control service API v1 (port 4523), over TLS with the client certificate the
 * control service requires: the cluster CA certificate to trust, and the user's certificate and key.
 */
public final class FlockerClient {

    static final String SERVICE = "flocker";
    private static final Pattern UUID = Pattern.compile(
            "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$");

    /**
     * Bounds {@link #connect()}: a connect (5 s), the mutual handshake and Flocker's smallest answer. A control service
     * slower than this is left to the reads that follow, which have their own timeouts and retries.
     */
    public static final java.time.Duration CONNECT_BOUND = java.time.Duration.ofSeconds(10);

    private final ApiCaller api;
    /** The TLS client the reads go through, without their interceptors: {@link #connect()} opens its connection. */
    private final OkHttpClient tls;

    public FlockerClient(String baseUrl, Path caCertPem, Path clientCertPem, Path clientKeyPem, OkHttpClient shared) {
        this(baseUrl, caCertPem, clientCertPem, clientKeyPem, shared, ClientMetrics.NOOP, RetryPolicy.DEFAULT);
    }

    public FlockerClient(String baseUrl, Path caCertPem, Path clientCertPem, Path clientKeyPem, OkHttpClient shared,
                         ClientMetrics metrics, RetryPolicy retry) {
        X509Certificate ca = PemFiles.certificate(caCertPem, "cluster CA");
        X509Certificate cert = PemFiles.certificate(clientCertPem, "client");
        PrivateKey key = PemFiles.privateKey(clientKeyPem);
        X509TrustManager trust = trusting(ca); // only the cluster CA: not the platform's public roots
        OkHttpClient withTls = shared.newBuilder().connectionSpecs(HttpClients.TLS_SPECS)
                .sslSocketFactory(context(new ClientCertificate(cert, key), trust).getSocketFactory(), trust).build();
        this.api = new ApiCaller("Flocker", baseUrl, HttpClients.forService(withTls, SERVICE, Auth.none(), metrics, retry));
        this.tls = withTls.newBuilder().callTimeout(CONNECT_BOUND).build();
    }

    /**
     * Opens a connection to the control service ahead of the reads: the TCP connect and the mutual TLS handshake
     * (a few hundred milliseconds of a one-shot process's start), with one {@code GET /v1/version}, the smallest
     * request Flocker answers, to carry them. The connection stays in the shared pool, and the reads that follow (on
     * the same pool and TLS set-up) reuse it instead of handshaking on their own. Sent once, without retries; it
     * returns whether Flocker answered, and never throws: a failure is the reads' to meet and to report.
     */
    public boolean connect() {
        Request request = new Request.Builder().url(api.url().addPathSegments("v1/version").build())
                .header("Accept", "application/json").build();
        try (okhttp3.Response response = tls.newCall(request).execute()) {
            response.body().bytes(); // read to its end, so the connection goes back to the pool for the reads
            return response.isSuccessful();
        } catch (java.io.IOException | RuntimeException e) {
            return false;
        }
    }

    /** A trust manager that trusts the certificates {@code ca} signed, and nothing else. */
    private static X509TrustManager trusting(X509Certificate ca) {
        try {
            KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
            trusted.load(null, null);
            trusted.setCertificateEntry("cluster-ca", ca);
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trusted);
            for (TrustManager manager : factory.getTrustManagers()) {
                if (manager instanceof X509TrustManager x509) {
                    return x509;
                }
            }
            throw new IllegalStateException("no X.509 trust manager in " + factory.getAlgorithm());
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException("cannot set up trust in the cluster CA: " + e, e);
        }
    }

    /** TLS with the client certificate held in memory ({@link ClientCertificate}) and {@code trust}. */
    private static SSLContext context(ClientCertificate certificate, X509TrustManager trust) {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(new KeyManager[] {certificate}, new TrustManager[] {trust}, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot set up TLS for Flocker: " + e, e);
        }
    }

    /** GET /v1/version: e.g. "1.15.0". */
    public String version() {
        return text(ok(get("v1/version"), "version").json(), "flocker");
    }

    /** GET /v1/configuration/datasets: the desired datasets (deleted ones included, flagged). */
    public List<Dataset> datasets() {
        return Json.list(ok(get("v1/configuration/datasets"), "dataset configuration").json(), Dataset::parse);
    }

    /**
     * POST /v1/configuration/datasets: creates a dataset with {@code primary} (a node UUID).
     *
     * @param maximumSize bytes, or null for the backend's default
     */
    public Dataset createDataset(String primary, Long maximumSize, Map<String, String> metadata) {
        ObjectNode body = Json.MAPPER.createObjectNode().put("primary", uuid(primary, "node"));
        if (maximumSize != null) {
            body.put("maximum_size", maximumSize);
        }
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode meta = body.putObject("metadata");
            metadata.forEach(meta::put);
        }
        HttpUrl url = api.url().addPathSegments("v1/configuration/datasets").build();
        return Dataset.parse(ok(api.send(new Request.Builder().url(url).post(ApiCaller.jsonBody(body)).build()),
                "new dataset").json());
    }

    /** POST /v1/configuration/datasets/{id} {"primary": node}: asks Flocker to move the dataset. */
    public Dataset moveDataset(String datasetId, String primary) {
        ObjectNode body = Json.MAPPER.createObjectNode().put("primary", uuid(primary, "node"));
        HttpUrl url = api.url().addPathSegments("v1/configuration/datasets")
                .addPathSegment(uuid(datasetId, "dataset")).build();
        return Dataset.parse(ok(api.send(new Request.Builder().url(url).post(ApiCaller.jsonBody(body)).build()),
                "dataset " + datasetId).json());
    }

    /** GET /v1/state/datasets: where each dataset actually is. */
    public List<DatasetState> stateDatasets() {
        return Json.list(ok(get("v1/state/datasets"), "dataset state").json(), DatasetState::parse);
    }

    /** GET /v1/state/nodes: the nodes with a running agent. */
    public List<FlockerNode> nodes() {
        return Json.list(ok(get("v1/state/nodes"), "node state").json(), FlockerNode::parse);
    }

    private ApiResponse get(String path) {
        return api.send(new Request.Builder().url(api.url().addPathSegments(path).build())
                .header("Accept", "application/json").build());
    }

    private static String uuid(String value, String what) {
        if (value == null || !UUID.matcher(value).matches()) {
            throw new OpsException("'" + value + "' is not a Flocker " + what + " UUID");
        }
        return value.toLowerCase(java.util.Locale.ROOT);
    }

    /** Flocker's errors: {"description": "...", "errors": [...]} (the latter for schema violations). */
    private static ApiResponse ok(ApiResponse response, String subject) {
        if (response.isSuccessful()) {
            return response;
        }
        JsonNode body = response.jsonOrNull();
        String description = text(body, "description", response.excerpt());
        List<String> errors = Json.strings(body, "errors");
        String detail = errors.isEmpty() ? description : description + " (" + String.join("; ", errors) + ")";
        if (response.code() >= 500) {
            throw response.serverError(detail);
        }
        if (response.code() == 404) {
            throw new OpsException("no " + subject + " in Flocker: " + detail);
        }
        if (response.code() == 409) {
            throw new OpsException("Flocker refused the change to " + subject + " (conflict): " + detail);
        }
        throw new OpsException("Flocker rejected the request for " + subject + " (HTTP " + response.code() + "): " + detail);
    }
}
