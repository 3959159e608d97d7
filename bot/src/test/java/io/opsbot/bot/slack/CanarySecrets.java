package io.opsbot.bot.slack;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Distinctive secret values and the places they were searched for. A leak is any 16-character run of a secret's
 * random part (or its URL-encoded form) in a scanned text: a whole value, a prefix, a line of a key all count. Runs
 * that also occur in the matching public material (a certificate, a .pub file) are not counted: printing public
 * material is no leak.
 */
final class CanarySecrets {

    /** 16 characters of random hex or base64: about 64 bits, so no text holds one by chance. */
    static final int WINDOW = 16;

    /** Where a secret was found. */
    record Leak(String secret, String place, String context) {}

    private final Map<String, String> values = new LinkedHashMap<>();
    /** Every WINDOW-long run of every secret, to the secret's name. */
    private final Map<String, String> windows = new HashMap<>();
    private final List<Leak> leaks = new ArrayList<>();
    /** Places scanned by kind, and their bytes. */
    private final Map<String, long[]> scanned = new TreeMap<>();

    private static final SecureRandom RANDOM = new SecureRandom();

    /** A new random value "prefix" + 32 hex digits, registered as secret {@code name}. */
    String random(String name, String prefix) {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        String value = prefix + HexFormat.of().formatHex(bytes);
        add(name, value, value.substring(prefix.length()), Set.of());
        return value;
    }

    /**
     * A PEM or OpenSSH private key file as secret {@code name}: each line of its body but the first (whose start is
     * the same for every key of a kind), less what {@code publicMaterial} also shows.
     */
    void keyFile(String name, Path privateKey, Path publicMaterial) throws IOException {
        List<String> body = Files.readAllLines(privateKey).stream().filter(l -> !l.startsWith("-----") && !l.isBlank()).toList();
        Set<String> publicRuns = new java.util.HashSet<>();
        if (publicMaterial != null) {
            String text = Files.readString(publicMaterial).replaceAll("-----[^-]+-----", "").replaceAll("\\s+", "");
            for (int i = 0; i + WINDOW <= text.length(); i++) {
                publicRuns.add(text.substring(i, i + WINDOW));
            }
        }
        values.put(name, String.join("\n", body));
        for (String line : body.subList(1, body.size())) {
            add(name, null, line, publicRuns);
        }
    }

    private void add(String name, String whole, String random, Set<String> publicRuns) {
        if (whole != null) {
            values.put(name, whole);
        }
        for (String form : List.of(random, URLEncoder.encode(random, StandardCharsets.UTF_8))) {
            for (int i = 0; i + WINDOW <= form.length(); i++) {
                String run = form.substring(i, i + WINDOW);
                if (!publicRuns.contains(run)) {
                    windows.put(run, name);
                }
            }
        }
    }

    /** The value given to the bot (the key's body for a key file). */
    String value(String name) {
        return values.get(name);
    }

    Set<String> names() {
        return values.keySet();
    }

    /** Searches {@code text}, one place of kind {@code kind} named {@code place}. */
    void scan(String kind, String place, String text) {
        long[] counts = scanned.computeIfAbsent(kind, k -> new long[2]);
        counts[0]++;
        counts[1] += text.getBytes(StandardCharsets.UTF_8).length;
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (int i = 0; i + WINDOW <= text.length(); i++) {
            String name = windows.get(text.substring(i, i + WINDOW));
            if (name != null && seen.add(name)) {
                int from = Math.max(0, i - 60);
                // the context shows where, with the secret's run itself masked
                String context = (text.substring(from, i) + "<" + name + ">"
                        + text.substring(i + WINDOW, Math.min(text.length(), i + WINDOW + 40))).replace('\n', ' ');
                leaks.add(new Leak(name, kind + ": " + place, context));
            }
        }
    }

    void scanFile(String kind, Path file) throws IOException {
        scan(kind, file.toString(), new String(Files.readAllBytes(file), StandardCharsets.UTF_8));
    }

    List<Leak> leaks() {
        return List.copyOf(leaks);
    }

    /** "log files: 3 places, 1234567 bytes" per kind, and the totals. */
    String figures() {
        StringBuilder out = new StringBuilder();
        long places = 0;
        long bytes = 0;
        for (Map.Entry<String, long[]> e : scanned.entrySet()) {
            out.append(String.format("  %-34s %6d places %,12d bytes%n", e.getKey(), e.getValue()[0], e.getValue()[1]));
            places += e.getValue()[0];
            bytes += e.getValue()[1];
        }
        out.append(String.format("  %-34s %6d places %,12d bytes; %d secrets (%d distinct %d-character runs), %d leaks%n",
                "total", places, bytes, values.size(), windows.size(), WINDOW, leaks.size()));
        return out.toString();
    }

    long placesOf(String kind) {
        long[] counts = scanned.get(kind);
        return counts == null ? 0 : counts[0];
    }
}
