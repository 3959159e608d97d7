package io.opsbot.engine;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;

/** A step made of lambdas, counting how often each part ran. */
final class TestStep implements Step {

    @FunctionalInterface
    interface Action {
        void run(StepContext context) throws Exception;
    }

    final AtomicInteger checks = new AtomicInteger();
    final AtomicInteger applies = new AtomicInteger();
    final AtomicInteger verifies = new AtomicInteger();

    private final String description;
    private final Callable<Check> check;
    private final Action apply;
    private final Action verify;
    private final Duration timeout;

    TestStep(String description, Callable<Check> check, Action apply, Action verify, Duration timeout) {
        this.description = description;
        this.check = check;
        this.apply = apply;
        this.verify = verify;
        this.timeout = timeout;
    }

    TestStep(String description, Callable<Check> check, Action apply) {
        this(description, check, apply, null, Duration.ofSeconds(10));
    }

    /** A step that always finds drift and applies by running {@code apply}. */
    static TestStep alwaysDrift(String description, Action apply) {
        return new TestStep(description, () -> Check.drift("always"), apply, context -> {}, Duration.ofSeconds(10));
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public Check check() throws Exception {
        checks.incrementAndGet();
        return check.call();
    }

    @Override
    public void apply(StepContext context) throws Exception {
        applies.incrementAndGet();
        apply.run(context);
    }

    @Override
    public void verify(StepContext context) throws Exception {
        verifies.incrementAndGet();
        if (verify == null) {
            Step.super.verify(context);
        } else {
            verify.run(context);
        }
    }

    @Override
    public Duration timeout() {
        return timeout;
    }
}
