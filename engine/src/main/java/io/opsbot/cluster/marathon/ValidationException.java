package io.opsbot.cluster.marathon;

import java.util.List;

/** Marathon answered 422: the definition is well-formed JSON but not a valid app. */
public class ValidationException extends RejectedRequestException {

    public ValidationException(String subject, String marathonMessage, List<FieldError> fieldErrors) {
        super("Marathon rejected " + subject, marathonMessage, fieldErrors);
    }
}
