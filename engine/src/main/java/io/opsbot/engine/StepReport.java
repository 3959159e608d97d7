package io.opsbot.engine;

import java.time.Duration;

/** @param detail the check's summary or diff, or the failure's message */
public record StepReport(int index, String description, StepResult result, String detail, Duration elapsed) {}
