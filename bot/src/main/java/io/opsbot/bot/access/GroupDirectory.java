package io.opsbot.bot.access;

import java.util.Set;

/** The members of a user group (in Slack: usergroups.users.list). */
@FunctionalInterface
public interface GroupDirectory {

    /** @throws RuntimeException when the directory cannot be asked; callers keep what they knew */
    Set<String> members(String groupId);

    GroupDirectory NONE = groupId -> Set.of();
}
