package io.opsbot.cluster.marathon;

import io.opsbot.engine.OpsException;
import java.util.List;

/** Marathon answered 422: the definition is well-formed JSON but not a valid app. */
public class ValidationException extends OpsException {

    private final String marathonMessage;
    private final List<FieldError> fieldErrors;

    public ValidationException(String subject, String marathonMessage, List<FieldError> fieldErrors) {
        super(MarathonErrors.describe("Marathon rejected " + subject, marathonMessage, fieldErrors));
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
