package io.opsbot.bot.http;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Established TCP connections on a local port, as Linux lists them in {@code /proc/net/tcp} and {@code tcp6}. */
public final class OpenConnections {

    private static final List<Path> TABLES = List.of(Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6"));
    /** The kernel's state code for ESTABLISHED. */
    private static final String ESTABLISHED = "01";

    private OpenConnections() {
    }

    /** Connections established to {@code localPort} (the server's side of each), or -1 where there are no such tables. */
    public static int established(int localPort) {
        int count = 0;
        boolean read = false;
        for (Path table : TABLES) {
            List<String> lines;
            try {
                lines = Files.readAllLines(table);
            } catch (IOException | SecurityException e) {
                continue;
            }
            read = true;
            for (int i = 1; i < lines.size(); i++) {
                if (matches(lines.get(i), localPort)) {
                    count++;
                }
            }
        }
        return read ? count : -1;
    }

    /** One row: {@code sl local_address rem_address st …}, addresses as HEXADDR:HEXPORT. */
    static boolean matches(String row, int localPort) {
        String[] f = row.trim().split("\\s+");
        if (f.length < 4 || !ESTABLISHED.equals(f[3])) {
            return false;
        }
        int colon = f[1].lastIndexOf(':');
        try {
            return colon > 0 && Integer.parseInt(f[1].substring(colon + 1), 16) == localPort;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
