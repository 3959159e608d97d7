package io.opsbot.engine;

/** Thrown inside a step when its operation was cancelled. */
public class CancelledException extends OpsException {

    public CancelledException(String message) {
        super(message);
    }
}
