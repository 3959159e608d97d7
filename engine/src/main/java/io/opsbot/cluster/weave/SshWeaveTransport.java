package io.opsbot.cluster.weave;

import io.opsbot.cluster.ssh.RemoteCommand;
import io.opsbot.cluster.ssh.SshRunner;
import io.opsbot.engine.OpsException;
import io.opsbot.engine.TransientException;
import java.util.Objects;

/** Weave's HTTP API reached from the node itself: curl to 127.0.0.1:6784 over SSH (the router binds loopback). */
public final class SshWeaveTransport implements WeaveTransport {

    /** curl's "couldn't connect" and "timeout" exits: the router is down or busy, worth a retry later. */
    private static final int CURL_CONNECT_FAILED = 7;
    private static final int CURL_TIMEOUT = 28;

    private final SshRunner ssh;
    private final String host;
    private final int port;

    public SshWeaveTransport(SshRunner ssh, String host, int port) {
        this.ssh = Objects.requireNonNull(ssh, "ssh");
        this.host = Objects.requireNonNull(host, "host");
        this.port = port;
    }

    @Override
    public String get(String path, String accept) {
        SshRunner.Result result = ssh.run(host, port, RemoteCommand.weaveGet(path, accept));
        if (result.truncated()) {
            throw new OpsException("Weave on " + host + " answered more than " + SshRunner.MAX_OUTPUT_BYTES
                    + " bytes for /" + path);
        }
        if (result.exitStatus() == CURL_CONNECT_FAILED || result.exitStatus() == CURL_TIMEOUT) {
            throw new TransientException("Weave on " + host + " is not answering on 127.0.0.1:6784: "
                    + result.stderr().strip());
        }
        if (!result.succeeded()) {
            throw new OpsException("reading Weave's /" + path + " on " + host + " failed (exit " + result.exitStatus()
                    + "): " + result.stderr().strip());
        }
        return result.stdout();
    }
}
