package io.opsbot.cluster.marathon;

import io.opsbot.engine.OpsException;
import java.util.List;

/** Marathon answered 400: the request could not be read (e.g. "Invalid JSON" with the offending paths). */
public class BadRequestException extends OpsException {

    private final String marathonMessage;
    private final List<FieldError> fieldErrors;

    public BadRequestException(String subject, String marathonMessage, List<FieldError> fieldErrors) {
        super(MarathonErrors.describe("Marathon could not read " + subject, marathonMessage, fieldErrors));
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
