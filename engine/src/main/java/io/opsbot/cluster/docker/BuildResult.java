package io.opsbot.cluster.docker;

import java.time.Duration;

/**
 * A finished image build.
 *
 * @param imageRef the reference the image was tagged with
 * @param imageId  the image id ({@code sha256:…})
 * @param took     how long the build took
 */
public record BuildResult(String imageRef, String imageId, Duration took) {}
