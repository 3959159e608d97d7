package io.opsbot.engine;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** A tiny desired-state world: named values, and a step that sets one ("scale nodeapp to 3"). */
final class Counter {

    final Map<String, Integer> values = new ConcurrentHashMap<>();

    TestStep set(String name, int value) {
        return new TestStep("set " + name + " to " + value,
                () -> values.getOrDefault(name, 0) == value
                        ? Check.inSync(name + " is already at " + value)
                        : Check.drift(name + ": " + values.getOrDefault(name, 0) + " → " + value),
                context -> values.put(name, value));
    }
}
