package io.opsbot.bot;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The ids the journal gives commands that are not operations. */
class CommandIdTest {

    /** A source of random numbers that returns the given ones, in order. */
    private static Random returning(long... values) {
        return new Random() {
            private int next;

            @Override
            public long nextLong() {
                return values[next++];
            }
        };
    }

    @Test
    void commandIdsKeepTheirLeadingZerosSoEveryIdHasTwelveHexDigits() {
        assertThat(Dispatcher.commandId(returning(0x0aec_dacf_ce6eL)))
                .isEqualTo("cmd-0aecdacfce6e");
        assertThat(Dispatcher.commandId(returning(0L))).isEqualTo("cmd-000000000000");
        assertThat(Dispatcher.commandId(returning(-1L))).isEqualTo("cmd-ffffffffffff");
        SplittableRandom seeds = new SplittableRandom(9);
        for (int i = 0; i < 1_000; i++) {
            assertThat(Dispatcher.commandId(returning(seeds.nextLong()))).matches("cmd-[0-9a-f]{12}");
        }
    }
}
