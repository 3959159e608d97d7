package io.opsbot.sim.registry;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opsbot.sim.Json;
import io.opsbot.sim.cluster.ClusterModel;
import io.opsbot.sim.cluster.ClusterState.ManifestState;
import io.opsbot.sim.cluster.ClusterState.RepoState;
import io.opsbot.sim.http.ApiError;
import io.opsbot.sim.http.Request;
import io.opsbot.sim.http.Response;
import io.opsbot.sim.http.Router;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/** Docker registry HTTP API v2: catalog, tags, manifests and blob pushes; blobs on disk, manifests in the state. */
public final class RegistryApi {
  static final String SCHEMA2 = "application/vnd.docker.distribution.manifest.v2+json";
  private static final String NAME = "([a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*)";
  private static final String DIGEST = "(sha256:[a-f0-9]{64})";

  private final ClusterModel model;
  private final Path blobs;
  private final Map<String, ByteArrayOutputStream> uploads = new ConcurrentHashMap<>();

  public RegistryApi(ClusterModel model, Path blobs) {
    this.model = model;
    this.blobs = blobs;
    try {
      Files.createDirectories(blobs);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public void register(Router router) {
    router.header("Docker-Distribution-API-Version", "registry/2.0")
        .notFound(r -> error(404, "NAME_UNKNOWN", "repository name not known to registry", r.path()))
        .on("GET", "/v2/?", r -> Response.json(200, Json.object()))
        .on("GET", "/v2/_catalog/?", r -> Response.json(200, catalog()))
        .on("GET", "/v2/" + NAME + "/tags/list/?", this::tags)
        .on("GET", "/v2/" + NAME + "/manifests/([^/]+)", this::getManifest)
        .on("PUT", "/v2/" + NAME + "/manifests/([^/]+)", this::putManifest)
        .on("GET", "/v2/" + NAME + "/blobs/uploads/([^/]+)", this::uploadStatus)
        .on("GET", "/v2/" + NAME + "/blobs/" + DIGEST, this::getBlob)
        .on("POST", "/v2/" + NAME + "/blobs/uploads/?", this::startUpload)
        .on("PATCH", "/v2/" + NAME + "/blobs/uploads/([^/]+)", this::patchUpload)
        .on("PUT", "/v2/" + NAME + "/blobs/uploads/([^/]+)", this::finishUpload);
  }

  private static Response error(int status, String code, String message, String detail) {
    ObjectNode body = Json.object();
    body.putArray("errors").addObject().put("code", code).put("message", message).put("detail", detail);
    return Response.json(status, body);
  }

  private ObjectNode catalog() {
    return model.read(s -> {
      ObjectNode o = Json.object();
      ArrayNode repos = o.putArray("repositories");
      s.repositories.forEach((name, repo) -> {
        if (!repo.tags.isEmpty()) {
          repos.add(name);
        }
      });
      return o;
    });
  }

  private Response tags(Request r) {
    String name = r.group(1);
    ObjectNode body = model.read(s -> {
      RepoState repo = s.repositories.get(name);
      if (repo == null) {
        return null;
      }
      ObjectNode o = Json.object().put("name", name);
      ArrayNode tags = o.putArray("tags");
      repo.tags.keySet().forEach(tags::add);
      return o;
    });
    return body == null ? error(404, "NAME_UNKNOWN", "repository name not known to registry", name)
        : Response.json(200, body);
  }

  private Response getManifest(Request r) {
    String name = r.group(1);
    String ref = r.group(2);
    ManifestState m = model.read(s -> {
      RepoState repo = s.repositories.get(name);
      if (repo == null) {
        return null;
      }
      String digest = ref.startsWith("sha256:") ? ref : repo.tags.get(ref);
      return digest == null ? null : repo.manifests.get(digest);
    });
    if (m == null) {
      return error(404, "MANIFEST_UNKNOWN", "manifest unknown", ref);
    }
    byte[] body = m.body.getBytes(StandardCharsets.UTF_8);
    return Response.bytes(200, m.mediaType, body).with("Docker-Content-Digest", digest(body))
        .with("Etag", "\"" + digest(body) + "\"");
  }

  private Response putManifest(Request r) {
    String name = r.group(1);
    String ref = r.group(2);
    byte[] body = r.body();
    String digest = digest(body);
    if (ref.startsWith("sha256:") && !ref.equals(digest)) {
      return error(400, "DIGEST_INVALID", "provided digest did not match uploaded content", ref);
    }
    try {
      var tree = Json.MAPPER.readTree(body);
      for (var layer : tree.path("layers")) {
        String d = layer.path("digest").asText();
        if (!Files.exists(blobPath(d))) {
          return error(400, "BLOB_UNKNOWN", "blob unknown to registry", d);
        }
      }
    } catch (IOException e) {
      return error(400, "MANIFEST_INVALID", "manifest invalid", e.getMessage());
    }
    String type = r.header("Content-Type") == null ? SCHEMA2 : r.header("Content-Type");
    storeManifest(name, ref, type, body);
    return Response.empty(201).with("Docker-Content-Digest", digest).with("Location", "/v2/" + name + "/manifests/" + digest);
  }

  /** Stores a manifest under its digest (and tag unless the reference is a digest). */
  public void storeManifest(String name, String ref, String mediaType, byte[] body) {
    String digest = digest(body);
    model.write(s -> {
      RepoState repo = s.repositories.computeIfAbsent(name, n -> new RepoState());
      ManifestState m = new ManifestState();
      m.mediaType = mediaType;
      m.body = new String(body, StandardCharsets.UTF_8);
      repo.manifests.put(digest, m);
      if (!ref.startsWith("sha256:")) {
        repo.tags.put(ref, digest);
      }
      return null;
    });
  }

  private Response getBlob(Request r) throws IOException {
    Path p = blobPath(r.group(2));
    if (!Files.exists(p)) {
      return error(404, "BLOB_UNKNOWN", "blob unknown to registry", r.group(2));
    }
    return Response.bytes(200, "application/octet-stream", Files.readAllBytes(p)).with("Docker-Content-Digest", r.group(2));
  }

  private Response startUpload(Request r) throws IOException {
    String name = r.group(1);
    String digest = r.query("digest");
    if (digest != null) {
      return complete(name, digest, r.body());
    }
    String uuid = UUID.randomUUID().toString();
    uploads.put(uuid, new ByteArrayOutputStream());
    return Response.empty(202).with("Location", "/v2/" + name + "/blobs/uploads/" + uuid)
        .with("Docker-Upload-UUID", uuid).with("Range", "0-0").with("Content-Length", "0");
  }

  private ByteArrayOutputStream upload(String uuid) {
    ByteArrayOutputStream buf = uploads.get(uuid);
    if (buf == null) {
      throw new ApiError(404, Json.tree(Map.of("errors", java.util.List.of(Map.of("code", "BLOB_UPLOAD_UNKNOWN",
          "message", "blob upload unknown to registry", "detail", uuid)))));
    }
    return buf;
  }

  private Response uploadStatus(Request r) {
    ByteArrayOutputStream buf = upload(r.group(2));
    return Response.empty(204).with("Range", "0-" + Math.max(0, buf.size() - 1)).with("Docker-Upload-UUID", r.group(2));
  }

  private Response patchUpload(Request r) {
    ByteArrayOutputStream buf = upload(r.group(2));
    synchronized (buf) {
      buf.writeBytes(r.body());
    }
    return Response.empty(202).with("Location", "/v2/" + r.group(1) + "/blobs/uploads/" + r.group(2))
        .with("Range", "0-" + Math.max(0, buf.size() - 1)).with("Docker-Upload-UUID", r.group(2));
  }

  private Response finishUpload(Request r) throws IOException {
    ByteArrayOutputStream buf = upload(r.group(2));
    String digest = r.query("digest");
    if (digest == null) {
      return error(400, "DIGEST_INVALID", "provided digest did not match uploaded content", "digest missing");
    }
    buf.writeBytes(r.body());
    uploads.remove(r.group(2));
    return complete(r.group(1), digest, buf.toByteArray());
  }

  private Response complete(String name, String digest, byte[] content) throws IOException {
    if (!digest(content).equals(digest)) {
      return error(400, "DIGEST_INVALID", "provided digest did not match uploaded content", digest);
    }
    writeBlob(content);
    return Response.empty(201).with("Location", "/v2/" + name + "/blobs/" + digest).with("Docker-Content-Digest", digest);
  }

  /** Writes a blob (atomically) and returns its digest. */
  public String writeBlob(byte[] content) throws IOException {
    String digest = digest(content);
    Path p = blobPath(digest);
    if (!Files.exists(p)) {
      Path tmp = Files.createTempFile(blobs, "upload", ".tmp");
      Files.write(tmp, content);
      Files.move(tmp, p, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
    return digest;
  }

  private Path blobPath(String digest) {
    if (!digest.matches("sha256:[a-f0-9]{64}")) {
      throw new ApiError(400, Json.tree(Map.of("errors", java.util.List.of(Map.of("code", "DIGEST_INVALID",
          "message", "provided digest did not match uploaded content", "detail", digest)))));
    }
    return blobs.resolve(digest.substring(7));
  }

  public static String digest(byte[] content) {
    try {
      return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Makes sure an image (repo:tag) exists, with a tiny config and layer, like one pushed before the sim started. */
  public void seed(String repo, String tag) throws IOException {
    boolean present = model.read(s -> s.repositories.containsKey(repo) && s.repositories.get(repo).tags.containsKey(tag));
    if (present) {
      return;
    }
    byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Labels\":{\"image\":\"" + repo + ":" + tag
        + "\"}},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}").getBytes(StandardCharsets.UTF_8);
    byte[] layer = ("opsbot-sim layer of " + repo + ":" + tag).getBytes(StandardCharsets.UTF_8);
    String configDigest = writeBlob(config);
    String layerDigest = writeBlob(layer);
    ObjectNode manifest = Json.object().put("schemaVersion", 2).put("mediaType", SCHEMA2);
    manifest.putObject("config").put("mediaType", "application/vnd.docker.container.image.v1+json")
        .put("size", config.length).put("digest", configDigest);
    manifest.putArray("layers").addObject().put("mediaType", "application/vnd.docker.image.rootfs.diff.tar.gzip")
        .put("size", layer.length).put("digest", layerDigest);
    storeManifest(repo, tag, SCHEMA2, Json.bytes(manifest));
  }
}
