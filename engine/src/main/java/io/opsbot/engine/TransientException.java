package io.opsbot.engine;

/**
 * A fault worth retrying: the other side was unreachable or answered 5xx. Anything else (4xx, validation,
 * conflicts) is permanent and never retried.
 */
public class TransientException extends OpsException {

    public TransientException(String message) {
        super(message);
    }

    public TransientException(String message, Throwable cause) {
        super(message, cause);
    }
}
