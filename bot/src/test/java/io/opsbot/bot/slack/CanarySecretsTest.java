package io.opsbot.bot.slack;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The secrets session's scanner finds what it must (whole values, parts, encoded forms, key lines) and nothing else. */
class CanarySecretsTest {

    @Test
    void findsAWholeValueAPrefixAndAnEncodedFormButNotPublicMaterial(@TempDir Path dir) throws Exception {
        CanarySecrets secrets = new CanarySecrets();
        String token = secrets.random("token", "xoxb-");
        HeldCertificate held = new HeldCertificate.Builder().commonName("user-opsbot").rsa2048().build();
        Path key = Files.writeString(dir.resolve("user.key"), held.privateKeyPkcs8Pem());
        Path cert = Files.writeString(dir.resolve("user.crt"), held.certificatePem());
        secrets.keyFile("key", key, cert);
        String keyLine = held.privateKeyPkcs8Pem().lines().skip(5).findFirst().orElseThrow();

        secrets.scan("clean", "a", "event=command user=U1 text=\"status\" token=<hidden> " + "xoxb-".repeat(10));
        secrets.scan("clean", "b", held.certificatePem()); // public: no leak
        assertThat(secrets.leaks()).isEmpty();

        secrets.scan("log", "whole", "auth failed for " + token + " at slack");
        secrets.scan("log", "prefix", "token " + token.substring(0, 5 + CanarySecrets.WINDOW) + "…");
        secrets.scan("log", "key line", "-----BEGIN PRIVATE KEY-----\n" + keyLine + "\n");
        secrets.scan("log", "encoded", "key=" + URLEncoder.encode(keyLine, StandardCharsets.UTF_8));

        assertThat(secrets.leaks()).extracting(CanarySecrets.Leak::place)
                .containsExactly("log: whole", "log: prefix", "log: key line", "log: encoded");
        assertThat(secrets.leaks().get(0).context()).contains("<token>").doesNotContain(token);
        assertThat(secrets.figures()).contains("4 leaks");
    }
}
