package io.opsbot.cluster.marathon;

import java.util.List;

/** Marathon answered 400: the request could not be read (e.g. "Invalid JSON" with the offending paths). */
public class BadRequestException extends RejectedRequestException {

    public BadRequestException(String subject, String marathonMessage, List<FieldError> fieldErrors) {
        super("Marathon could not read " + subject, marathonMessage, fieldErrors);
    }
}
