package io.opsbot.cluster.docker;

import java.time.Duration;

/**
 * A finished push.
 *
 * @param imageRef the reference pushed
 * @param digest   the manifest digest the registry stored ({@code sha256:…}), as its Docker-Content-Digest header says
 * @param took     how long the push took
 */
public record PushResult(String imageRef, String digest, Duration took) {}
