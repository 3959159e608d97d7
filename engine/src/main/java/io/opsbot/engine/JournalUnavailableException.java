package io.opsbot.engine;

/**
 * The journal could not record a transition (its database stopped, its disk is full, it cannot be reached). The
 * engine runs nothing it cannot record: an operation stops where it is, says what its step had done, and writes
 * nothing more to the journal, which still shows it RUNNING, so it is finished through fresh checks once the journal
 * answers again (by this engine's recovery sweep or the next start).
 */
public class JournalUnavailableException extends OpsException {

    public JournalUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The failure, or one of its causes, is the journal's. */
    static JournalUnavailableException in(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof JournalUnavailableException journal) {
                return journal;
            }
        }
        return null;
    }
}
