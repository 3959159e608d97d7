package io.opsbot.cluster.marathon;

import io.opsbot.engine.OpsException;

/** Marathon answered 404: no such app, version or deployment. */
public class NotFoundException extends OpsException {

    public NotFoundException(String message) {
        super(message);
    }
}
