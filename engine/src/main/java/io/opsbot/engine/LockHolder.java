package io.opsbot.engine;

import java.time.Instant;

/** Who holds a resource lock: the operation, its title and who started it. */
public record LockHolder(String operationId, String title, String requester, Instant since) {}
