package io.opsbot.bot;

/**
 * What every exec that reaches the cluster sets up, begun on a thread of its own while the main thread reads
 * {@code opsbot.yaml} (a machine's second CPU has little else to do then): Jackson's one JSON mapper of the clients
 * and the catalog, and OkHttp's platform (the JCA providers). A class being initialised here is waited for, not
 * initialised twice, by the thread that needs it.
 */
final class ExecWarmUp {

    private ExecWarmUp() {
    }

    static void begin() {
        Thread warm = new Thread(() -> {
            try {
                io.opsbot.cluster.http.Json.MAPPER.getTypeFactory();
                new okhttp3.OkHttpClient.Builder();
            } catch (RuntimeException | LinkageError ignored) {
                // whoever needs it next sets it up and says what failed
            }
        }, "exec-warm-up");
        warm.setDaemon(true);
        warm.start();
    }
}
