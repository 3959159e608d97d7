package io.opsbot.engine;

/**
 * The deliveries a chat service retries (Slack's {@code event_id}, {@code trigger_id}), recognised by every bot
 * replica alike, so that a retry landing on another replica than the first delivery runs nothing.
 */
public interface Deliveries {

    /**
     * True for the first of all replicas to offer {@code key} within the retry window; false for a delivery already
     * seen. Of two replicas offering one key at once exactly one gets true.
     */
    boolean firstTime(String key);
}
