package io.opsbot.engine;

/** A failure a user can cause or must know about; its message is written for the chat channel. */
public class OpsException extends RuntimeException {

    public OpsException(String message) {
        super(message);
    }

    public OpsException(String message, Throwable cause) {
        super(message, cause);
    }
}
