package io.opsbot.engine;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.function.Consumer;

/** A journal that hands every call's method name to a hook before the real store runs it (the hook may throw). */
final class InterceptedJournal {

    private InterceptedJournal() {
    }

    static Journal around(Journal store, Consumer<String> beforeEachCall) {
        return (Journal) Proxy.newProxyInstance(Journal.class.getClassLoader(), new Class<?>[] {Journal.class},
                (proxy, method, args) -> {
                    beforeEachCall.accept(method.getName());
                    try {
                        return method.invoke(store, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
