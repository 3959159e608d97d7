package io.opsbot.engine;

/** A resource lock as the journal holds it: who holds it, and the lease that keeps it. */
public record SharedLock(String resource, LockHolder holder, Lease lease) {}
