package io.opsbot.health;

import java.time.Instant;
import java.util.List;

/**
 * A part of the report that another feature contributes (incidents opened and resolved, once alerts exist): it
 * returns its section for the window, and any problems it wants in the verdict.
 */
public interface SectionSource {

    Contribution contribute(Instant since, Instant until);

    record Contribution(List<Section> sections, List<Problem> problems) {
        public Contribution {
            sections = List.copyOf(sections);
            problems = List.copyOf(problems);
        }
    }
}
