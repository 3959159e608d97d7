package io.opsbot.engine;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What the journal kept of a step that an earlier run of the same operation (before a crash) got to: its last state,
 * the change its check had found when it began to apply, and the facts its apply noted ({@link StepContext#note}).
 * Recovery hands it to the re-planned step ({@link Step#resume}) so that a write that reached the cluster is
 * recognized, credited to this operation, and never made twice.
 *
 * @param last   the last state journaled (notes aside)
 * @param change the first APPLYING's diff ("instances of /nodeapp: 2 → 3"), or null if it never began to apply
 * @param detail the last state's detail (the failure message of a FAILED step)
 * @param notes  the facts noted, the later ones winning ("from", "version", "deployment", …)
 */
public record EarlierRun(StepState last, String change, String detail, Map<String, String> notes) {

    /** The note saying that an apply found its change already asked for and wrote nothing. */
    public static final String WROTE_NOTHING = "wrote-nothing";

    public EarlierRun {
        notes = Map.copyOf(notes);
    }

    public Optional<String> note(String key) {
        return Optional.ofNullable(notes.get(key));
    }

    /** It began to apply (or finished applying): its write may have reached the cluster. */
    public boolean beganToApply() {
        return change != null;
    }

    public boolean wroteNothing() {
        return notes.containsKey(WROTE_NOTHING);
    }

    /** A journaled note's detail: "key=value". */
    static String noteText(String key, String value) {
        return key + "=" + (value == null ? "" : value);
    }

    /** Every step the journal's transitions of one operation mention, by index. */
    static Map<Integer, EarlierRun> of(List<StepEntry> transitions) {
        Map<Integer, List<StepEntry>> byStep = new TreeMap<>();
        for (StepEntry t : transitions) {
            byStep.computeIfAbsent(t.index(), i -> new ArrayList<>()).add(t);
        }
        Map<Integer, EarlierRun> runs = new TreeMap<>();
        byStep.forEach((index, entries) -> {
            StepState last = null;
            String change = null;
            String detail = null;
            Map<String, String> notes = new LinkedHashMap<>();
            for (StepEntry t : entries) {
                if (t.state() == StepState.NOTED) {
                    String text = t.detail() == null ? "" : t.detail();
                    int eq = text.indexOf('=');
                    notes.put(eq < 0 ? text : text.substring(0, eq), eq < 0 ? "" : text.substring(eq + 1));
                    continue;
                }
                if (t.state() == StepState.APPLYING && change == null) {
                    change = t.detail() == null ? "" : t.detail();
                }
                if (t.state() == StepState.CHANGED && change == null) {
                    change = t.detail() == null ? "" : t.detail();
                }
                last = t.state();
                detail = t.detail();
            }
            if (last != null) {
                runs.put(index, new EarlierRun(last, change, detail, notes));
            }
        });
        return runs;
    }
}
