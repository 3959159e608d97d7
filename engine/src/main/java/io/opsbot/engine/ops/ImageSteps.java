package io.opsbot.engine.ops;

import io.opsbot.catalog.AppSpec;
import io.opsbot.cluster.docker.DockerImages;
import io.opsbot.engine.Check;
import io.opsbot.engine.OpsException;
import io.opsbot.engine.Step;
import io.opsbot.engine.StepContext;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** The image steps of a deploy: build it from the app's build context, push it to the registry. */
final class ImageSteps {

    static final String NO_ENGINE_EMULATED = "no Docker engine configured: build skipped; the emulated registry is given the image";

    private ImageSteps() {
    }

    /** Builds {@code repository:tag} with the configured Docker engine, unless the engine already has it. */
    static final class Build implements Step {
        private final ClusterClients clients;
        private final AppSpec app;
        private final String ref;
        private final Map<String, String> buildArgs;

        Build(ClusterClients clients, AppSpec app, String ref, Map<String, String> buildArgs) {
            this.clients = clients;
            this.app = app;
            this.ref = ref;
            this.buildArgs = Map.copyOf(buildArgs);
        }

        @Override
        public String description() {
            return "build image " + ref;
        }

        @Override
        public Check check() {
            DockerImages docker = clients.docker();
            if (docker == null) {
                return Check.inSync(clients.emulated() ? NO_ENGINE_EMULATED
                        : "no Docker engine configured (cluster.docker): build skipped; the registry must already have " + ref);
            }
            Optional<String> id = docker.localImageId(ref);
            return id.isPresent() ? Check.inSync("image " + ref + " is already built (" + shortId(id.get()) + ")")
                    : Check.drift("build " + ref + " from " + app.buildContext());
        }

        @Override
        public void apply(StepContext context) {
            clients.docker().build(app.buildContext(), ref, buildArgs, line -> context.progress(0.5, line));
        }

        @Override
        public Duration timeout() {
            return Duration.ofMinutes(20);
        }
    }

    /** Pushes {@code repository:tag}, unless the registry already has that tag for the same image. */
    static final class Push implements Step {
        private final ClusterClients clients;
        private final String repository;
        private final String tag;
        private final String ref;

        Push(ClusterClients clients, String repository, String tag, String ref) {
            this.clients = clients;
            this.repository = repository;
            this.tag = tag;
            this.ref = ref;
        }

        @Override
        public String description() {
            return "push " + ref + " to the registry";
        }

        @Override
        public Check check() {
            Optional<String> digest = clients.registry().manifestDigest(repository, tag);
            if (digest.isEmpty()) {
                return Check.drift("the registry has no " + ref + ": push it");
            }
            DockerImages docker = clients.docker();
            if (docker != null) {
                // A schema 2 manifest names the image's config by digest, and that digest is the local image id.
                Optional<String> local = docker.localImageId(ref);
                Optional<String> remote = clients.pusher().configDigest(repository, tag);
                if (local.isPresent() && !local.equals(remote)) {
                    return Check.drift("the registry's " + ref + " (" + digest.get() + ") is another image than the one built ("
                            + shortId(local.get()) + "): push it");
                }
            }
            return Check.inSync("registry already has " + ref + "@" + digest.get());
        }

        @Override
        public void apply(StepContext context) {
            DockerImages docker = clients.docker();
            if (docker != null) {
                docker.push(ref, line -> context.progress(0.5, line));
            } else if (clients.emulated()) {
                String digest = clients.pusher().push(repository, tag);
                context.progress(0.9, "pushed " + ref + "@" + digest + " to the emulated registry");
            } else {
                throw new OpsException("no Docker engine configured (cluster.docker) and the registry has no " + ref
                        + ": build and push it elsewhere, or deploy with --only and a --version the registry has");
            }
        }

        @Override
        public Duration timeout() {
            return Duration.ofMinutes(10);
        }
    }

    static String shortId(String id) {
        String hex = id.startsWith("sha256:") ? id.substring(7) : id;
        return hex.length() > 12 ? hex.substring(0, 12) : hex;
    }
}
