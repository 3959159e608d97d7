package io.opsbot.bot.slack;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs a request as Slack signs what it sends to an app: {@code v0=} and the hex HMAC-SHA256 of
 * {@code v0:timestamp:body} with the signing secret. Bolt verifies; this is the sending side, shared by the start-up
 * archive's training run, the benchmarks' clients and the tests.
 */
public final class SlackSigning {

    private SlackSigning() {
    }

    public static String signature(String signingSecret, long timestamp, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(signingSecret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return "v0=" + HexFormat.of().formatHex(mac.doFinal(("v0:" + timestamp + ":" + body).getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
