package io.opsbot.cluster.docker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.BuildImageCmd;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.BuildResponseItem;
import com.github.dockerjava.api.model.PushResponseItem;
import com.github.dockerjava.api.model.ResponseItem;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.transport.DockerHttpClient;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import io.opsbot.engine.OpsException;
import io.opsbot.engine.TransientException;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds and pushes app images through the Docker Engine API (docker-java). Errors a user can cause — a broken
 * Dockerfile, a missing base image, an unreachable registry — come back as {@link OpsException}s carrying the
 * daemon's own message; an unreachable daemon or registry is a {@link TransientException}.
 */
public final class DockerImages implements Closeable {

    private static final Logger log = LoggerFactory.getLogger(DockerImages.class);

    // A daemon on a socket answers at once; longer means it is not there.
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    // Ping and inspect are small requests.
    private static final Duration QUICK_RESPONSE_TIMEOUT = Duration.ofSeconds(15);
    // A build step (npm install) can be silent for minutes; this bounds the silence, not the build.
    private static final Duration STREAM_RESPONSE_TIMEOUT = Duration.ofMinutes(10);
    // Whole-operation bounds: far above a cold nodeapp build, low enough that a stuck daemon is reported.
    static final Duration BUILD_TIMEOUT = Duration.ofMinutes(20);
    static final Duration PUSH_TIMEOUT = Duration.ofMinutes(10);

    private static final Pattern STEP = Pattern.compile("Step (\\d+)/(\\d+) : (.*)");
    private static final Pattern PUSHED_DIGEST = Pattern.compile("digest: (sha256:[0-9a-f]{64})");
    private static final Pattern STATUS_PREFIX = Pattern.compile("(?s)Status \\d+: (.*)");
    // Messages of a daemon that could not reach a registry (or the registry failing): worth retrying.
    private static final Pattern REGISTRY_UNREACHABLE = Pattern.compile(
            "connection refused|i/o timeout|no route to host|connection reset|no such host|TLS handshake timeout"
                    + "|503 Service Unavailable|502 Bad Gateway|500 Internal Server Error",
            Pattern.CASE_INSENSITIVE);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String dockerHost;
    private final DockerHttpClient quickHttp;
    private final DockerHttpClient streamHttp;
    private final DockerClient quick;
    private final DockerClient stream;

    /** @param dockerHost the daemon's address, e.g. {@code unix:///var/run/docker.sock} or {@code tcp://127.0.0.1:2375} */
    public DockerImages(String dockerHost) {
        if (dockerHost == null || dockerHost.isBlank()) {
            throw new IllegalArgumentException("dockerHost is required, e.g. unix:///var/run/docker.sock");
        }
        this.dockerHost = dockerHost;
        DockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder()
                .withDockerHost(dockerHost)
                .build();
        this.quickHttp = http(config, QUICK_RESPONSE_TIMEOUT);
        this.streamHttp = http(config, STREAM_RESPONSE_TIMEOUT);
        this.quick = DockerClientImpl.getInstance(config, quickHttp);
        this.stream = DockerClientImpl.getInstance(config, streamHttp);
    }

    private static DockerHttpClient http(DockerClientConfig config, Duration responseTimeout) {
        return new ZerodepDockerHttpClient.Builder()
                .dockerHost(config.getDockerHost())
                .sslConfig(config.getSSLConfig())
                .connectionTimeout(CONNECT_TIMEOUT)
                .responseTimeout(responseTimeout)
                .maxConnections(8)
                .build();
    }

    /** Whether the daemon answers a ping. */
    public boolean available() {
        try {
            quick.pingCmd().exec();
            return true;
        } catch (RuntimeException e) {
            log.debug("docker ping failed host={} error={}", dockerHost, e.toString());
            return false;
        }
    }

    /**
     * A 12-hex-digit hash of the build context: every file's path and content, sorted by path, leaving out
     * {@code .git} and what {@code .dockerignore} excludes. It changes exactly when what the build sees changes.
     */
    public static String contentHash(Path buildContext) {
        return new BuildContext(buildContext).hash();
    }

    /**
     * Builds the image of {@code context} (its {@code Dockerfile}) and tags it {@code imageRef}.
     *
     * @param buildArgs values for the Dockerfile's {@code ARG}s, e.g. {@code BASE_IMAGE}
     * @param progress  receives the build's output, line by line
     * @throws OpsException with the daemon's message and the failing step when the build fails
     */
    public BuildResult build(Path context, String imageRef, Map<String, String> buildArgs, Consumer<String> progress) {
        ImageRef ref = ImageRef.parse(imageRef);
        Path dockerfile = context.resolve("Dockerfile");
        if (!Files.isRegularFile(dockerfile)) {
            throw new OpsException("docker build of " + ref.shortName() + ": " + context + " has no Dockerfile");
        }
        long start = System.nanoTime();
        log.info("docker build start image={} context={}", imageRef, context);
        BuildWatch watch = new BuildWatch(progress);
        String what = "docker build of " + ref.shortName();
        Path tar = contextTar(context, what);
        try (InputStream body = Files.newInputStream(tar)) {
            // The tar holds exactly the files contentHash() counts, so the tag names what was built.
            BuildImageCmd cmd = stream.buildImageCmd(body)
                    .withTags(Set.of(imageRef))
                    .withPull(false)
                    .withRemove(true)
                    .withForcerm(true);
            buildArgs.forEach(cmd::withBuildArg);
            cmd.exec(watch);
            await(watch, BUILD_TIMEOUT, what);
        } catch (DockerException e) {
            throw new OpsException(what + " failed" + watch.atStep() + ": " + daemonMessage(e), e);
        } catch (IOException e) {
            throw new OpsException(what + " failed: cannot read the context archive: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw unreachable(what, e);
        } finally {
            deleteQuietly(tar);
        }
        if (watch.error != null) {
            // A base image pull from a registry that is down is worth retrying; a broken step is not.
            String text = what + " failed" + watch.atStep() + ": " + watch.error;
            throw isRegistryUnreachable(watch.error) ? new TransientException(text) : new OpsException(text);
        }
        // The stream names the image by its short id; the daemon has the full one.
        String imageId = localImageId(imageRef)
                .orElseThrow(() -> new OpsException(what + " finished but " + imageRef + " is not in the daemon"));
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        log.info("docker build done image={} id={} tookMs={}", imageRef, imageId, took.toMillis());
        return new BuildResult(imageRef, imageId, took);
    }

    /**
     * Pushes {@code imageRef} (registry/repository:tag) to its registry.
     *
     * @param progress receives one line per layer event (not the byte counters)
     * @return the manifest digest the registry stored
     * @throws OpsException with the daemon's message when the push fails; a {@link TransientException} when the
     *                      registry cannot be reached
     */
    public PushResult push(String imageRef, Consumer<String> progress) {
        ImageRef ref = ImageRef.parse(imageRef);
        long start = System.nanoTime();
        log.info("docker push start image={}", imageRef);
        PushWatch watch = new PushWatch(progress);
        String what = "docker push of " + imageRef;
        try {
            stream.pushImageCmd(ref.repository()).withTag(ref.tag()).exec(watch);
            await(watch, PUSH_TIMEOUT, what);
        } catch (NotFoundException e) {
            throw new OpsException(what + " failed: " + daemonMessage(e), e);
        } catch (DockerException e) {
            throw pushFailure(what, daemonMessage(e), e);
        } catch (RuntimeException e) {
            throw unreachable(what, e);
        }
        if (watch.error != null) {
            throw pushFailure(what, watch.error, null);
        }
        if (watch.digest == null) {
            throw new OpsException(what + " finished without the registry reporting a digest");
        }
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        log.info("docker push done image={} digest={} tookMs={}", imageRef, watch.digest, took.toMillis());
        return new PushResult(imageRef, watch.digest, took);
    }

    /** The id of the local image {@code ref}, or empty when the daemon has none of that name. */
    public Optional<String> localImageId(String ref) {
        try {
            com.github.dockerjava.api.command.InspectImageResponse image = quick.inspectImageCmd(ref).exec();
            if (image == null || image.getId() == null) {
                throw new OpsException("docker image inspect of " + ref + " failed: the Docker daemon at " + dockerHost
                        + " answered without the image's id");
            }
            return Optional.of(image.getId());
        } catch (NotFoundException e) {
            return Optional.empty();
        } catch (DockerException e) {
            throw new OpsException("docker image inspect of " + ref + " failed: " + daemonMessage(e), e);
        } catch (RuntimeException e) {
            throw unreachable("docker image inspect of " + ref, e);
        }
    }

    @Override
    public void close() {
        for (Closeable c : new Closeable[] {quick, stream, quickHttp, streamHttp}) {
            try {
                c.close();
            } catch (IOException e) {
                log.debug("closing docker client failed error={}", e.toString());
            }
        }
    }

    private static void await(Watch<?> watch, Duration timeout, String what) {
        try {
            if (!watch.awaitCompletion(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                closeQuietly(watch);
                throw new OpsException(what + " did not finish within " + timeout.toMinutes() + " min");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeQuietly(watch);
            throw new OpsException(what + " was interrupted", e);
        }
        Throwable failure = watch.failure;
        if (failure instanceof RuntimeException runtime) {
            throw runtime;
        }
        if (failure instanceof IOException io) {
            // the caller's unreachable() tells a garbled answer from a daemon that cannot be reached
            throw new java.io.UncheckedIOException(what + " failed", io);
        }
        if (failure != null) {
            throw new OpsException(what + " failed: " + oneLine(failure.getMessage()), failure);
        }
    }

    private static Path contextTar(Path context, String what) {
        try {
            Path tar = Files.createTempFile("opsbot-build-", ".tar");
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tar))) {
                new BuildContext(context).writeTar(out);
            } catch (IOException | RuntimeException e) {
                deleteQuietly(tar);
                throw e;
            }
            return tar;
        } catch (IOException e) {
            throw new OpsException(what + " failed: cannot pack the build context " + context + ": " + e.getMessage(), e);
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            log.debug("cannot delete temporary file path={} error={}", file, e.toString());
        }
    }

    private static void closeQuietly(Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // Abandoning the stream; its error no longer matters.
        }
    }

    private static OpsException pushFailure(String what, String message, Throwable cause) {
        String text = what + " failed: " + message;
        return isRegistryUnreachable(message) ? new TransientException(text, cause) : new OpsException(text, cause);
    }

    /** The daemon could not reach the registry, or the registry failed: retrying may help. */
    static boolean isRegistryUnreachable(String daemonMessage) {
        return REGISTRY_UNREACHABLE.matcher(daemonMessage).find();
    }

    private OpsException unreachable(String what, RuntimeException e) {
        if (e instanceof OpsException ops) {
            return ops;
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof com.fasterxml.jackson.core.JsonProcessingException json) {
                // an answer came, but not the JSON of the Engine API: a proxy's page, a cut-off or garbled body
                return new OpsException(what + " failed: the Docker daemon at " + dockerHost + " answered with"
                        + " something other than the Docker Engine API's JSON (" + whatIsWrong(json) + ")", e);
            }
            if (t instanceof IOException) {
                return new TransientException(what + " failed: the Docker daemon at " + dockerHost
                        + " cannot be reached (" + oneLine(t.getMessage()) + ")", e);
            }
        }
        // a library's own failure on an answer it could not handle: its text names Java types, so it goes to the log
        log.warn("docker call failed what=\"{}\" host={} error=\"{}\"", what, dockerHost, e.toString(), e);
        return new OpsException(what + " failed: the Docker daemon at " + dockerHost + " gave an answer opsbot could"
                + " not read; the details are in opsbot's log", e);
    }

    /** What is wrong with an answer that is not the API's JSON, in words (the parser's own text names Java types). */
    private static String whatIsWrong(com.fasterxml.jackson.core.JsonProcessingException e) {
        if (e instanceof com.fasterxml.jackson.databind.exc.MismatchedInputException) {
            return e.getOriginalMessage() != null && e.getOriginalMessage().startsWith("No content")
                    ? "an empty answer" : "a value of the wrong type";
        }
        if (e instanceof com.fasterxml.jackson.core.io.JsonEOFException) {
            return "the answer is cut short";
        }
        if (e instanceof com.fasterxml.jackson.core.exc.StreamConstraintsException) {
            return "nested too deep, or a number or text too long to read";
        }
        return "not valid JSON";
    }

    /** A message for one chat line: its first line, at most 300 characters. */
    static String oneLine(String text) {
        if (text == null || text.isBlank()) {
            return "no details";
        }
        String first = text.strip().lines().findFirst().orElse("").strip();
        return first.length() <= 300 ? first : first.substring(0, 300) + "…";
    }

    /** The daemon's own message out of docker-java's "Status 400: {"message":"…"}". */
    static String daemonMessage(DockerException e) {
        String text = e.getMessage() == null ? "" : e.getMessage().strip();
        Matcher m = STATUS_PREFIX.matcher(text);
        if (m.matches()) {
            text = m.group(1).strip();
        }
        if (text.startsWith("{")) {
            try {
                JsonNode body = JSON.readTree(text);
                if (body.hasNonNull("message")) {
                    return oneLine(body.get("message").asText());
                }
            } catch (IOException ignored) {
                // Not JSON after all: the text is the message.
            }
        }
        return oneLine(text);
    }

    private static String itemError(ResponseItem item) {
        if (item.getErrorDetail() != null && item.getErrorDetail().getMessage() != null) {
            return oneLine(item.getErrorDetail().getMessage());
        }
        // The plain "error" field repeats errorDetail's message; only errorDetail is supported by the library.
        return "the daemon reported an error without a message";
    }

    /**
     * A response stream's callback that keeps a transport failure for {@link #await} to rethrow, instead of the
     * library's default of logging it at ERROR: the caller turns it into a message for the user.
     */
    private abstract static class Watch<T> extends ResultCallback.Adapter<T> {
        volatile Throwable failure;

        @Override
        public void onError(Throwable throwable) {
            if (failure == null) {
                failure = throwable;
            }
            log.debug("docker stream failed error={}", throwable.toString());
            closeQuietly(this);
        }
    }

    /** Follows a build's stream: output lines, the current step, the error. */
    private static final class BuildWatch extends Watch<BuildResponseItem> {
        private final Consumer<String> progress;
        private volatile String step;
        private volatile String error;

        BuildWatch(Consumer<String> progress) {
            this.progress = progress;
        }

        @Override
        public void onNext(BuildResponseItem item) {
            if (item.getStream() != null) {
                for (String line : item.getStream().split("\n")) {
                    String text = line.stripTrailing();
                    if (text.isEmpty()) {
                        continue;
                    }
                    Matcher m = STEP.matcher(text);
                    if (m.matches()) {
                        step = m.group(1) + "/" + m.group(2) + " (" + abbreviate(m.group(3)) + ")";
                    }
                    progress.accept(text);
                }
            } else if (item.getStatus() != null && item.getProgressDetail() == null) {
                progress.accept(item.getStatus().strip());
            }
            if (item.isErrorIndicated()) {
                error = itemError(item);
            }
        }

        String atStep() {
            return step == null ? "" : " at step " + step;
        }

        private static String abbreviate(String instruction) {
            return instruction.length() <= 60 ? instruction : instruction.substring(0, 59) + "…";
        }
    }

    /** Follows a push's stream: layer events, the error or the digest. */
    private static final class PushWatch extends Watch<PushResponseItem> {
        private final Consumer<String> progress;
        private volatile String error;
        private volatile String digest;

        PushWatch(Consumer<String> progress) {
            this.progress = progress;
        }

        @Override
        public void onNext(PushResponseItem item) {
            if (item.isErrorIndicated()) {
                error = itemError(item);
                return;
            }
            if (item.getAux() != null && item.getAux().getDigest() != null) {
                digest = item.getAux().getDigest();
            }
            String status = item.getStatus();
            if (status == null) {
                return;
            }
            Matcher m = PUSHED_DIGEST.matcher(status);
            if (m.find() && digest == null) {
                digest = m.group(1);
            }
            // "Pushing" repeats with byte counters; the layer's start and end are what a person follows.
            if (!status.equals("Pushing")) {
                progress.accept(item.getId() == null ? status : item.getId() + ": " + status);
            }
        }
    }
}
