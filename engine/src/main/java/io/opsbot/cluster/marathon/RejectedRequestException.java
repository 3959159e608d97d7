package io.opsbot.cluster.marathon;

import io.opsbot.engine.OpsException;
import java.util.List;

/** Marathon refused a request and said why, field by field: the shared shape of its 400 and 422 answers. */
public abstract class RejectedRequestException extends OpsException {

    private final String marathonMessage;
    private final List<FieldError> fieldErrors;

    RejectedRequestException(String summary, String marathonMessage, List<FieldError> fieldErrors) {
        super(MarathonErrors.describe(summary, marathonMessage, fieldErrors));
        this.marathonMessage = marathonMessage;
        this.fieldErrors = List.copyOf(fieldErrors);
    }

    public String marathonMessage() {
        return marathonMessage;
    }

    public List<FieldError> fieldErrors() {
        return fieldErrors;
    }
}
