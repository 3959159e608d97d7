package io.opsbot.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Item 1's lean clients read the JDK server's answers on a kept-alive connection one after the other, exactly. */
class AckClientsTest {

    @Test
    void twoAnswersOnOneConnectionAreReadOneAfterTheOtherWhateverTheHeadersCase() throws IOException {
        InputStream in = stream("HTTP/1.1 200 OK\r\nDate: Thu, 26 Nov 2026 20:00:00 GMT\r\nContent-length: 0\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-type: application/json\r\nCONTENT-LENGTH: 25\r\n\r\n{\"text\":\"opsbot is busy\"}"
                + "HTTP/1.1 401 Unauthorized\r\ncontent-length: 2\r\n\r\nno");

        assertThat(AckClients.read(in)).isEqualTo(new AckClients.Answer(200, ""));
        assertThat(AckClients.read(in)).isEqualTo(new AckClients.Answer(200, "{\"text\":\"opsbot is busy\"}"));
        assertThat(AckClients.read(in)).isEqualTo(new AckClients.Answer(401, "no"));
        assertThat(in.read()).as("nothing read beyond the last answer").isEqualTo(-1);
    }

    @Test
    void anAnswerItCannotReadExactlyIsAnErrorNotAGuess() {
        assertThatThrownBy(() -> AckClients.read(stream("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")))
                .hasMessageContaining("chunked");
        assertThatThrownBy(() -> AckClients.read(stream("HTTP/1.1 200 OK\r\n\r\n"))).hasMessageContaining("Content-Length");
        assertThatThrownBy(() -> AckClients.read(stream("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort")))
                .hasMessageContaining("inside an answer's body");
        assertThatThrownBy(() -> AckClients.read(stream("HTTP/1.1 200 OK\r\nContent-Le"))).hasMessageContaining("headers");
        assertThatThrownBy(() -> AckClients.read(stream(""))).hasMessageContaining("not an HTTP/1.1 answer");
    }

    @Test
    void aRequestIsTheSignedFormBodyWithSlacksHeadersAndItsLength() {
        SlashCommands.Signed signed = new SlashCommands.Signed("text=status+nodeapp&trigger_id=t1", 1_800_000_000L, "v0=abc");
        String request = new String(AckClients.request(signed, 3000), StandardCharsets.UTF_8);

        assertThat(request).startsWith("POST /slack/events HTTP/1.1\r\n")
                .contains("\r\nX-Slack-Request-Timestamp: 1800000000\r\n", "\r\nX-Slack-Signature: v0=abc\r\n",
                        "\r\nContent-Length: 33\r\n")
                .endsWith("\r\n\r\ntext=status+nodeapp&trigger_id=t1");
    }

    @Test
    void aLevelsEndCarriesTheClientsCompileTimeForTheHarnessToWarmUpBy() {
        assertThat(AckClients.jitOfEnd(AckClients.end(1234))).isEqualTo(1234);
        assertThatThrownBy(() -> AckClients.jitOfEnd("end")).hasMessageContaining("not the end of a level");
        assertThatThrownBy(() -> AckClients.jitOfEnd("ack 12 0")).hasMessageContaining("not the end of a level");
    }

    /** The target level is measured once both JVMs compiled at most 30 ms in a round, twice in a row. */
    @Test
    void theWarmUpEndsAfterTwoRoundsInARowInWhichNeitherJvmCompiledMuch() {
        long[][] rounds = {{500, 300}, {20, 10}, {40, 0}, {10, 31}, {10, 10}, {30, 30}};
        int[] expected = {0, 1, 0, 0, 1, 2};
        int quiet = 0;
        for (int i = 0; i < rounds.length; i++) {
            quiet = SlashAckBench.quietRounds(quiet, rounds[i][0], rounds[i][1]);
            assertThat(quiet).as("quiet rounds in a row after round " + (i + 1)).isEqualTo(expected[i]);
        }
    }

    private static InputStream stream(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }
}
