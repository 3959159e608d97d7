package io.opsbot.bot.fuzz;

import net.jqwik.api.lifecycle.PropertyExecutionResult;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Method;
import java.util.Optional;
import net.jqwik.api.lifecycle.AroundPropertyHook;
import net.jqwik.api.lifecycle.PropagationMode;
import net.jqwik.api.lifecycle.PropertyExecutor;
import net.jqwik.api.lifecycle.PropertyLifecycleContext;

/**
 * Gives a property more tries in long mode ({@code OPSBOT_LONG=true}, which {@code ./run-tests --long} sets): the
 * annotation's {@code tries} is the bounded CI figure; {@link LongTries} on the method says how many in long mode.
 * Add it with {@code @AddLifecycleHook(LongModeTries.class)}.
 */
public final class LongModeTries implements AroundPropertyHook {

    /** Whether this run is the long one. */
    public static boolean longMode() {
        return "true".equalsIgnoreCase(System.getenv("OPSBOT_LONG"));
    }

    @Override
    public PropertyExecutionResult aroundProperty(PropertyLifecycleContext context, PropertyExecutor property) {
        if (longMode()) {
            context.findAnnotation(LongTries.class).ifPresent(t -> context.attributes().setTries(t.value()));
        }
        return property.execute();
    }

    /** Added on a class, it reaches each property method of it (a hook's default reaches only where it is put). */
    @Override
    public PropagationMode propagateTo() {
        return PropagationMode.ALL_DESCENDANTS;
    }

    @Override
    public boolean appliesTo(Optional<AnnotatedElement> element) {
        return element.map(e -> e instanceof Method).orElse(false);
    }

    @Override
    public int aroundPropertyProximity() {
        // outside jqwik's own hooks, so the tries are set before the generation starts
        return -100;
    }
}
