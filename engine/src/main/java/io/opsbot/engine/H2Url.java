package io.opsbot.engine;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Makes a configured H2 journal URL as crash-safe as the default one. H2 writes commits to its file up to
 * WRITE_DELAY (500 ms by default) after they are made, so a process killed -9 in that window loses transitions it
 * had recorded, and with them the proof of writes it had made: WRITE_DELAY=0 is added, and a URL asking for a delay
 * (or for no file lock, which lets two processes corrupt one file) is refused. A file URL also gets what lets
 * several local processes share the file and see a dead one's lock at once (AUTO_SERVER, FILE_LOCK=SOCKET).
 */
final class H2Url {

    /** The settings a journal in an H2 file needs, in the order they are added. */
    private static final Map<String, String> FILE_SETTINGS = fileSettings();

    // Map.of iterates in an order that changes from one JVM to the next: the URL must read the same every time
    private static Map<String, String> fileSettings() {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("AUTO_SERVER", "TRUE");
        settings.put("FILE_LOCK", "SOCKET");
        return java.util.Collections.unmodifiableMap(settings);
    }

    private H2Url() {}

    /** The URL unchanged when it is not a persistent H2 one; else with WRITE_DELAY=0 (and the file settings). */
    static String crashSafe(String url) {
        if (!isPersistentH2(url)) {
            return url;
        }
        String[] parts = url.split(";");
        Map<String, String> settings = new LinkedHashMap<>();
        for (int i = 1; i < parts.length; i++) {
            int eq = parts[i].indexOf('=');
            if (!parts[i].isBlank()) {
                settings.put(eq < 0 ? parts[i].trim().toUpperCase(Locale.ROOT) : parts[i].substring(0, eq).trim().toUpperCase(Locale.ROOT),
                        eq < 0 ? "" : parts[i].substring(eq + 1).trim());
            }
        }
        String delay = settings.get("WRITE_DELAY");
        if (delay != null && !delay.equals("0")) {
            throw new OpsException("journal.url sets WRITE_DELAY=" + delay + ": H2 would then write commits to disk up to "
                    + delay + " ms late, and a crash would lose operations it had recorded. Remove it (opsbot sets WRITE_DELAY=0)");
        }
        String lock = settings.get("FILE_LOCK");
        if (lock != null && lock.equalsIgnoreCase("NO")) {
            throw new OpsException("journal.url sets FILE_LOCK=NO: two opsbot processes could then write the journal file at "
                    + "once and corrupt it. Remove it (opsbot uses FILE_LOCK=SOCKET)");
        }
        StringBuilder safe = new StringBuilder(url);
        if (delay == null) {
            safe.append(";WRITE_DELAY=0");
        }
        if (isEmbeddedFile(url)) {
            FILE_SETTINGS.forEach((key, value) -> {
                if (!settings.containsKey(key)) {
                    safe.append(';').append(key).append('=').append(value);
                }
            });
        }
        return safe.toString();
    }

    /** An H2 database that outlives the process: a file (jdbc:h2:file:, jdbc:h2:~/…, jdbc:h2:./…) or a server. */
    static boolean isPersistentH2(String url) {
        String lower = url.toLowerCase(Locale.ROOT);
        return lower.startsWith("jdbc:h2:") && !lower.startsWith("jdbc:h2:mem:");
    }

    private static boolean isEmbeddedFile(String url) {
        String lower = url.toLowerCase(Locale.ROOT);
        return !lower.startsWith("jdbc:h2:tcp:") && !lower.startsWith("jdbc:h2:ssl:") && !lower.startsWith("jdbc:h2:zip:");
    }

    /** The database's WRITE_DELAY in milliseconds, as it runs. */
    static int writeDelay(Connection connection) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement(
                "SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME = 'WRITE_DELAY'");
             ResultSet rows = query.executeQuery()) {
            return rows.next() ? Integer.parseInt(rows.getString(1).trim()) : 0;
        }
    }

    /** The URL for a message: H2 accepts PASSWORD= in it, which must not reach a log or a chat. */
    static String withoutSecrets(String url) {
        return url.replaceAll("(?i)(PASSWORD|CIPHER)=[^;]*", "$1=<hidden>");
    }
}
