package io.opsbot.cluster.weave;

/** How the Weave router's local HTTP API is reached: directly over HTTP, or through the node over SSH. */
@FunctionalInterface
public interface WeaveTransport {

    /**
     * The body of GET /{path} with the given Accept header; path is one of
     * {@link io.opsbot.cluster.ssh.RemoteCommand#WEAVE_PATHS}.
     */
    String get(String path, String accept);
}
