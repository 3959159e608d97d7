package io.opsbot.bot.access;

import java.util.Optional;

/** Who started an operation, so that cancelling someone else's needs the admin role. */
@FunctionalInterface
public interface OperationOwners {

    Optional<String> requesterOf(String operationId);

    OperationOwners UNKNOWN = id -> Optional.empty();

    default OperationOwners or(OperationOwners next) {
        return id -> {
            Optional<String> mine = requesterOf(id);
            return mine.isPresent() ? mine : next.requesterOf(id);
        };
    }
}
