package io.opsbot.cluster.flocker;

import static org.assertj.core.api.Assertions.assertThat;

import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.Test;

/** The client certificate is offered for its own key's type, as the JDK's key managers offer it. */
class ClientCertificateTest {

    @Test
    void anRsaKeyIsOfferedWhenTheServerAsksForRsaOnly() {
        HeldCertificate rsa = new HeldCertificate.Builder().commonName("user-rsa").rsa2048().build();
        ClientCertificate held = new ClientCertificate(rsa.certificate(), rsa.keyPair().getPrivate());

        assertThat(held.chooseClientAlias(new String[] {"RSASSA-PSS", "RSA"}, null, null)).isNotNull();
        assertThat(held.chooseClientAlias(new String[] {"EC", "RSASSA-PSS"}, null, null)).isNull();
        String alias = held.chooseClientAlias(new String[] {"RSA"}, null, null);
        assertThat(held.getPrivateKey(alias)).isSameAs(rsa.keyPair().getPrivate());
        assertThat(held.getCertificateChain(alias)).containsExactly(rsa.certificate());
        assertThat(held.getPrivateKey("another")).isNull();
        assertThat(held.chooseServerAlias("RSA", null, null)).isNull();
    }

    @Test
    void anEcKeyIsOfferedForEcInBothTlsVersionsSpelling() {
        HeldCertificate ec = new HeldCertificate.Builder().commonName("user-ec").ecdsa256().build();
        ClientCertificate held = new ClientCertificate(ec.certificate(), ec.keyPair().getPrivate());

        assertThat(held.getClientAliases("EC", null)).hasSize(1);
        assertThat(held.getClientAliases("EC_EC", null)).hasSize(1);
        assertThat(held.getClientAliases("RSA", null)).isNull();
        assertThat(held.chooseEngineClientAlias(new String[] {"RSA", "EC"}, null, null)).isNotNull();
    }
}
