package io.opsbot.cluster.marathon;

/**
 * One difference between the running definition ({@code before}) and the desired one ({@code after});
 * "(none)" stands for an absent field. Prints as "instances: 2 → 3".
 */
public record FieldChange(String path, String before, String after) {

    @Override
    public String toString() {
        return path + ": " + before + " → " + after;
    }
}
