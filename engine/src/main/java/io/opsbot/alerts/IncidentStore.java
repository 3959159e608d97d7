package io.opsbot.alerts;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Incidents and mutes in the journal's database, so a restarted opsbot or another replica sees them and edits the
 * messages that show them.
 */
public interface IncidentStore {

    /** Stores a new incident; returns it with its id. */
    Incident insert(Incident incident);

    /** Writes every field of an existing incident but its chat message. */
    void update(Incident incident);

    /** Records the chat message that shows the incident (written once it is posted). */
    void attachMessage(long incidentId, String channel, String ts);

    Optional<Incident> find(long id);

    /** Every open incident. */
    List<Incident> open();

    /** The newest incident of the key, open or not. */
    Optional<Incident> latest(IncidentKey key);

    /** Incidents open now or seen since {@code since}, newest first; of one subject when it is not null. */
    List<Incident> since(Instant since, String subject, int limit);

    void mute(Mute mute);

    /** True when there was a mute to lift. */
    boolean unmute(String target);

    /** Mutes still in force at {@code now}. */
    List<Mute> mutes(Instant now);
}
