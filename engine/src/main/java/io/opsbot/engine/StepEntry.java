package io.opsbot.engine;

import java.time.Instant;

/** One recorded step transition. */
public record StepEntry(String operationId, int index, String description, StepState state, String detail, Instant at) {}
