package io.opsbot.cluster.marathon;

import io.opsbot.engine.OpsException;

/** Marathon answered 401 or 403: the configured credentials are missing, wrong, or not allowed this. */
public class AuthException extends OpsException {

    private final int status;

    public AuthException(String message, int status) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
