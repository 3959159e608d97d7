package io.opsbot.alerts;

import java.io.Closeable;

/**
 * Which replica watches the cluster and posts alerts. With ZooKeeper configured, a Curator leader latch decides
 * ({@link ZooKeeperLeadership}); without it the single process leads ({@link #solo}).
 */
public interface Leadership extends Closeable {

    /** Told on a thread of the leadership's own; keep it short. */
    interface Listener {
        void isLeader();

        void notLeader();
    }

    void start(Listener listener);

    boolean isLeader();

    /** This replica's id (host and process). */
    String id();

    /** The leading replica's id, or null when none is known (ZooKeeper unreachable, or not yet decided). */
    String leaderId();

    @Override
    void close();

    /** One process, no election: it leads from the start. */
    static Leadership solo(String id) {
        return new Leadership() {
            private volatile boolean leading;

            @Override
            public void start(Listener listener) {
                leading = true;
                listener.isLeader();
            }

            @Override
            public boolean isLeader() {
                return leading;
            }

            @Override
            public String id() {
                return id;
            }

            @Override
            public String leaderId() {
                return leading ? id : null;
            }

            @Override
            public void close() {
                leading = false;
            }
        };
    }
}
