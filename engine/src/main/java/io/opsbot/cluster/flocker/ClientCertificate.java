package io.opsbot.cluster.flocker;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Locale;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * The one client certificate and key opsbot presents to Flocker's control service, held in memory as they were read.
 *
 * <p>What it replaces: a key manager from {@code KeyManagerFactory} over a PKCS#12 key store (OkHttp's
 * {@code HandshakeCertificates}), which encrypts the key when it is put in the store and decrypts it when the factory
 * reads it back — two PBKDF2 derivations of 10,000 HMAC-SHA256 rounds each, about half of Flocker's TLS set-up in a
 * one-shot {@code exec} (C1-compiled code, BENCHMARKS.md), for a store that never leaves the process.
 *
 * <p>It offers the certificate whenever the server asks for one of its key's type (RSA, EC or EdDSA), whichever
 * certificate authorities the server names: the control service trusts exactly the cluster CA that signed it, and a
 * certificate it refuses fails the handshake with its own alert, as before.
 */
final class ClientCertificate extends X509ExtendedKeyManager {

    private static final String ALIAS = "flocker-user";

    private final X509Certificate certificate;
    private final PrivateKey key;

    ClientCertificate(X509Certificate certificate, PrivateKey key) {
        this.certificate = certificate;
        this.key = key;
    }

    /** Whether a key type the TLS stack asks for ("RSA", "EC", "EdDSA"; "EC_EC" and the like in TLS 1.2) is the key's. */
    boolean matches(String keyType) {
        if (keyType == null) {
            return false;
        }
        String algorithm = key.getAlgorithm().toUpperCase(Locale.ROOT);
        String asked = keyType.toUpperCase(Locale.ROOT);
        return asked.equals(algorithm) || asked.startsWith(algorithm + "_");
    }

    private String aliasFor(String[] keyTypes) {
        if (keyTypes != null) {
            for (String keyType : keyTypes) {
                if (matches(keyType)) {
                    return ALIAS;
                }
            }
        }
        return null;
    }

    @Override
    public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
        return aliasFor(keyTypes);
    }

    @Override
    public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
        return aliasFor(keyTypes);
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return matches(keyType) ? new String[] {ALIAS} : null;
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        return ALIAS.equals(alias) ? new X509Certificate[] {certificate} : null;
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        return ALIAS.equals(alias) ? key : null;
    }

    /** A client holds no server certificate. */
    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return null;
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return null;
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        return null;
    }
}
