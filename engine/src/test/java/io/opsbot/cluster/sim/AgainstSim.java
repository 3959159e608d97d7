package io.opsbot.cluster.sim;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/** One sim per test class, back to its topology before each test. */
abstract class AgainstSim {

    static SimHarness h;

    @BeforeAll
    static void startSim() {
        h = new SimHarness();
    }

    @AfterAll
    static void stopSim() {
        h.close();
    }

    @BeforeEach
    void resetSim() {
        h.reset();
    }
}
