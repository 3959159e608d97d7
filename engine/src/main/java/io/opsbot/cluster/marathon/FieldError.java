package io.opsbot.cluster.marathon;

import java.util.List;

/** One rejected field: its JSON path (e.g. /upgradeStrategy/minimumHealthCapacity) and why. */
public record FieldError(String path, List<String> errors) {

    public FieldError {
        errors = List.copyOf(errors);
    }

    @Override
    public String toString() {
        return (path == null || path.isEmpty() ? "(app)" : path) + ": " + String.join("; ", errors);
    }
}
