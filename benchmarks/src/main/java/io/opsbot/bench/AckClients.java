package io.opsbot.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Item 1's clients in a process of their own, as Slack's are not in the bot's JVM: reads "CLIENTS PER-CLIENT" lines on
 * stdin, sends that many signed slash commands (each client one after the other) to the bot's port, and prints one line
 * per ack — "ack NANOS BUSY" (BUSY 1 when the bot answered it is busy) — then "end". A failed request prints "error …"
 * and the process exits 1.
 *
 * <p>{@code java -cp … io.opsbot.bench.AckClients PORT RESPONSE-URL}
 */
public final class AckClients {

    private AckClients() {
    }

    public static void main(String[] args) throws Exception {
        SlashCommands commands = new SlashCommands(Integer.parseInt(args[0]), args[1]);
        PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            String[] words = line.trim().split("\\s+");
            if (words.length != 2) {
                continue;
            }
            List<String> lines;
            try {
                lines = run(commands, Integer.parseInt(words[0]), Integer.parseInt(words[1]));
            } catch (Exception e) {
                out.println("error " + e.toString().replace('\n', ' '));
                out.flush();
                System.exit(1);
                return;
            }
            lines.forEach(out::println);
            out.println("end");
            out.flush();
        }
    }

    private static List<String> run(SlashCommands commands, int clients, int perClient) throws Exception {
        List<String> lines = java.util.Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                done.add(pool.submit(() -> {
                    for (int n = 0; n < perClient; n++) {
                        SlashCommands.Ack ack = commands.send(SlashAckBench.COMMAND, "UVIEW", SlackRig.CHANNEL);
                        if (ack.status() != 200) {
                            throw new IllegalStateException("the bot answered HTTP " + ack.status() + ": " + ack.body());
                        }
                        lines.add("ack " + ack.nanos() + " " + (ack.body().contains("busy") ? 1 : 0));
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        return lines;
    }
}
