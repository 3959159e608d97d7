package io.opsbot.alerts;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.leader.LeaderLatchListener;
import org.apache.curator.framework.recipes.leader.Participant;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leader election on the cluster's ZooKeeper with Curator's {@link LeaderLatch}: of the replicas sharing one
 * journal, the one holding the latch watches and posts alerts. A replica that stops releases it at once; one that
 * dies loses it when its ZooKeeper session expires, and the latch's listener tells the others.
 */
public final class ZooKeeperLeadership implements Leadership {

    private static final Logger log = LoggerFactory.getLogger(ZooKeeperLeadership.class);

    /** The latch's path: one election per ZooKeeper ensemble and opsbot installation. */
    public static final String DEFAULT_PATH = "/opsbot/alerts/leader";
    /** A dead leader is replaced within this (ZooKeeper's session timeout). */
    public static final Duration DEFAULT_SESSION_TIMEOUT = Duration.ofSeconds(15);
    private static final Duration CONNECTION_TIMEOUT = Duration.ofSeconds(10);

    private enum State { LATENT, STARTED, CLOSED }

    private final AtomicReference<State> state = new AtomicReference<>(State.LATENT);
    private final String connect;
    private final String path;
    private final String id;
    private final Duration sessionTimeout;
    private CuratorFramework client;
    private LeaderLatch latch;

    public ZooKeeperLeadership(String connect, String id) {
        this(connect, DEFAULT_PATH, id, DEFAULT_SESSION_TIMEOUT);
    }

    public ZooKeeperLeadership(String connect, String path, String id, Duration sessionTimeout) {
        this.connect = Objects.requireNonNull(connect, "connect");
        this.path = Objects.requireNonNull(path, "path");
        this.id = Objects.requireNonNull(id, "id");
        this.sessionTimeout = Objects.requireNonNull(sessionTimeout, "sessionTimeout");
    }

    @Override
    public void start(Listener listener) {
        if (!state.compareAndSet(State.LATENT, State.STARTED)) {
            throw new IllegalStateException("leadership already started or closed");
        }
        client = CuratorFrameworkFactory.builder().connectString(connect)
                .sessionTimeoutMs((int) sessionTimeout.toMillis())
                .connectionTimeoutMs((int) CONNECTION_TIMEOUT.toMillis())
                .retryPolicy(new ExponentialBackoffRetry(500, 10, 5_000))
                .build();
        client.start();
        latch = new LeaderLatch(client, path, id, LeaderLatch.CloseMode.NOTIFY_LEADER);
        latch.addListener(new LeaderLatchListener() {
            @Override
            public void isLeader() {
                log.info("event=alert_leader_elected id={} zookeeper={}", id, connect);
                listener.isLeader();
            }

            @Override
            public void notLeader() {
                log.info("event=alert_leader_lost id={}", id);
                listener.notLeader();
            }
        });
        try {
            latch.start();
        } catch (Exception e) {
            close();
            throw new IllegalStateException("cannot join the leader election on ZooKeeper " + connect + ": " + e.getMessage(), e);
        }
    }

    @Override
    public boolean isLeader() {
        LeaderLatch l = latch;
        return state.get() == State.STARTED && l != null && l.hasLeadership();
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String leaderId() {
        LeaderLatch l = latch;
        if (l == null || state.get() != State.STARTED) {
            return null;
        }
        try {
            Participant leader = l.getLeader();
            return leader == null || leader.getId().isEmpty() ? null : leader.getId();
        } catch (Exception e) {
            return null;
        }
    }

    @Override
    public void close() {
        if (state.getAndSet(State.CLOSED) == State.CLOSED) {
            return;
        }
        try {
            if (latch != null) {
                latch.close();
            }
        } catch (Exception e) {
            log.warn("event=alert_leader_close_failed error=\"{}\"", e.getMessage());
        } finally {
            if (client != null) {
                client.close();
            }
        }
    }
}
