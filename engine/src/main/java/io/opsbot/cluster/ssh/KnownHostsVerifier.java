package io.opsbot.cluster.ssh;

import java.io.File;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.util.Base64;
import net.schmizz.sshj.common.Buffer;
import net.schmizz.sshj.common.KeyType;
import net.schmizz.sshj.transport.verification.OpenSSHKnownHosts;

/**
 * The host key check of one connection: the key the node presents must be listed for it in an OpenSSH known_hosts
 * file. An unknown host or a changed key is refused, never added ("accept new" is a person's decision, after checking
 * the fingerprint); which of the two it was is kept so that the refusal can say so.
 */
final class KnownHostsVerifier extends OpenSSHKnownHosts {

    /** Why the last key was refused, or null. */
    enum Refusal { UNKNOWN_HOST, CHANGED_KEY }

    private volatile Refusal refusal;
    private volatile String presented;

    KnownHostsVerifier(File knownHosts) throws IOException {
        super(knownHosts);
    }

    @Override
    protected boolean hostKeyUnverifiableAction(String hostname, PublicKey key) {
        refuse(Refusal.UNKNOWN_HOST, key);
        return false;
    }

    @Override
    protected boolean hostKeyChangedAction(String hostname, PublicKey key) {
        refuse(Refusal.CHANGED_KEY, key);
        return false;
    }

    private void refuse(Refusal why, PublicKey key) {
        this.presented = KeyType.fromKey(key) + " key " + fingerprint(key);
        this.refusal = why;
    }

    Refusal refusal() {
        return refusal;
    }

    /** The refused key as OpenSSH shows it: "ssh-ed25519 key SHA256:…". */
    String presented() {
        return presented;
    }

    /** OpenSSH's fingerprint: SHA256: and the unpadded base64 of the SHA-256 of the key's wire form. */
    static String fingerprint(PublicKey key) {
        try {
            byte[] wire = new Buffer.PlainBuffer().putPublicKey(key).getCompactData();
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(wire);
            return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
