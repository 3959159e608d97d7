package io.opsbot.engine;

import java.time.Instant;

/**
 * Which engine runs an operation or holds a lock, and when it last said it was alive. Both null for an
 * operation journaled before leases existed (or before its engine claimed it).
 */
public record Lease(String owner, Instant heartbeatAt) {

    public static final Lease NONE = new Lease(null, null);
}
