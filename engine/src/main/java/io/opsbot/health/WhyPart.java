package io.opsbot.health;

import io.opsbot.engine.Report;
import java.util.Optional;

/**
 * A part of {@code why APP} that another feature contributes (the app's open incident, once alerts exist); empty
 * when it has nothing to say about the app.
 */
@FunctionalInterface
public interface WhyPart {

    Optional<Report.Section> explain(String app, String marathonId);
}
