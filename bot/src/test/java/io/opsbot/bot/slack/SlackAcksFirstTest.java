package io.opsbot.bot.slack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.opsbot.bot.Request;
import io.opsbot.bot.Response;
import io.opsbot.config.OpsbotConfig.SlackConfig;
import io.opsbot.engine.Report;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * HTTP mode answers pending requests before it runs the commands they start ({@link io.opsbot.bot.http.AcksFirst}): a
 * command acked while another request is still being read waits for that one's end before its work starts. Without the
 * gate the command ran at once, beside the answers still to be written.
 */
class SlackAcksFirstTest {

    FakeSlack slack;
    SlackRig rig;

    @AfterEach
    void stop() {
        if (rig != null) {
            rig.close();
        }
        if (slack != null) {
            slack.close();
        }
    }

    @Test
    void aCommandStartsOnceTheRequestsPendingBesideItAreAnswered() throws Exception {
        slack = new FakeSlack();
        AtomicBoolean otherEnded = new AtomicBoolean();
        List<Boolean> ranAfterTheOther = new CopyOnWriteArrayList<>();
        rig = SlackRig.with(slack).settings(b -> b.acksFirst(Duration.ofMinutes(5))).bare((request, progress) -> {
            ranAfterTheOther.add(otherEnded.get());
            return new Response.Answer(new Report("ok", List.of(), false));
        });
        try (Socket other = new Socket(InetAddress.getLoopbackAddress(), rig.bot.httpPort())) {
            // a request whose headers are still coming: the server took it, its answer is pending
            OutputStream out = other.getOutputStream();
            out.write(("POST " + SlackConfig.DEFAULT_PATH + " HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: a")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            await().atMost(Duration.ofSeconds(60)).until(() -> rig.bot.acks().pending() == 1);

            SignedRequests.Answer ack = rig.requests.slashCommand("status nodeapp", "UADMIN", "C0OPS", "acks-first-1");
            assertThat(ack.status()).isEqualTo(200);
            // its worker took the command and waits for the other request's answer (at most 5 minutes here)
            await().atMost(Duration.ofSeconds(60)).until(() -> rig.bot.acks().delayed() == 1);
            assertThat(ranAfterTheOther).as("the command's work while the other request is pending").isEmpty();
            otherEnded.set(true);
        } // the other client goes: the server reads the end of its stream and that exchange ends
        await().atMost(Duration.ofSeconds(60)).until(() -> ranAfterTheOther.size() == 1);
        assertThat(ranAfterTheOther).containsExactly(true);
        assertThat(rig.bot.acks().pending()).isZero();
    }

    @Test
    void aCommandRunsWithinTheBoundWhileASlowClientStaysConnected() throws Exception {
        // the default bound: a command acked while a slow client stays connected still runs
        slack = new FakeSlack();
        List<Request> reached = new CopyOnWriteArrayList<>();
        rig = SlackRig.with(slack).bare((request, progress) -> {
            reached.add(request);
            return new Response.Answer(new Report("ok", List.of(), false));
        });
        try (Socket other = new Socket(InetAddress.getLoopbackAddress(), rig.bot.httpPort())) {
            OutputStream out = other.getOutputStream();
            out.write(("POST " + SlackConfig.DEFAULT_PATH + " HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: a")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            await().atMost(Duration.ofSeconds(60)).until(() -> rig.bot.acks().pending() == 1);
            assertThat(rig.requests.slashCommand("status nodeapp", "UADMIN", "C0OPS", "acks-first-2").status()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(60)).until(() -> reached.size() == 1);
        }
    }
}
