package io.opsbot.engine;

import java.io.File;
import java.io.IOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Whether a journal's schema already holds every migration this build carries, read from Flyway's own history
 * table: then opening the journal need not start Flyway at all (some 400 classes, a class path scan, a lock on the
 * history table), which is most of what a one-shot {@code opsbot exec} would spend on its journal.
 *
 * <p>It only ever says "current" when Flyway itself would find nothing to do: the history lists exactly the
 * bundled versioned migrations, by version and script name, all successful. Anything else — a missing or newer
 * migration, a failed one, a baseline, a repeatable or Java migration among the bundled files, a location it cannot
 * list — answers "not current", and Flyway decides as before.
 */
final class SchemaVersion {

    /** Flyway's versioned SQL migrations: V{version}__{description}.sql. */
    private static final Pattern VERSIONED = Pattern.compile("V([0-9]+(?:[._][0-9]+)*)__.*\\.sql");
    /** Flyway's history table, named in lower case (quoted) on H2 and PostgreSQL alike. */
    private static final String HISTORY = "SELECT \"version\", \"script\", \"type\", \"success\" FROM \"flyway_schema_history\"";

    private SchemaVersion() {
    }

    /**
     * The versioned migrations in {@code locations} (class path folders such as {@code db/migration}), version →
     * script name; empty when a location holds anything else (Flyway would have to look at it) or cannot be listed.
     */
    static Optional<Map<String, String>> bundled(ClassLoader loader, List<String> locations) {
        Map<String, String> scripts = new TreeMap<>();
        try {
            for (String location : locations) {
                for (URL url : Collections.list(loader.getResources(location))) {
                    for (String name : filesIn(url, location)) {
                        Matcher m = VERSIONED.matcher(name);
                        if (!m.matches() || scripts.put(normalize(m.group(1)), name) != null) {
                            return Optional.empty();
                        }
                    }
                }
            }
        } catch (IOException | URISyntaxException | RuntimeException e) {
            return Optional.empty();
        }
        return scripts.isEmpty() ? Optional.empty() : Optional.of(scripts);
    }

    /**
     * The one location of {@code locations} that holds {@code script} as a direct child; empty when none does (the
     * script is in a sub-folder) or when two do: Flyway's own scan then decides, as without a bundled list.
     */
    static Optional<String> locationOf(ClassLoader loader, List<String> locations, String script) {
        String found = null;
        for (String location : locations) {
            if (loader.getResource(location + "/" + script) != null) {
                if (found != null) {
                    return Optional.empty();
                }
                found = location;
            }
        }
        return Optional.ofNullable(found);
    }

    /** True when the database's history holds exactly {@code bundled}, every migration successful. */
    static boolean current(Connection connection, Map<String, String> bundled) {
        Map<String, String> applied = new TreeMap<>();
        try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(HISTORY)) {
            while (rows.next()) {
                String version = rows.getString(1);
                String type = rows.getString(3);
                if (!rows.getBoolean(4)) {
                    return false;
                }
                if (version == null && ("TABLE".equals(type) || "SCHEMA".equals(type))) {
                    continue; // Flyway's marker that it created the table or the schema
                }
                if (version == null || !"SQL".equals(type) || applied.put(normalize(version), rows.getString(2)) != null) {
                    return false;
                }
            }
        } catch (SQLException noHistoryYet) {
            return false;
        }
        return applied.equals(bundled);
    }

    /** "1.0" and "1_0" and "01" are all Flyway's version 1. */
    static String normalize(String version) {
        String[] parts = version.split("[._]");
        int end = parts.length;
        while (end > 1 && parts[end - 1].matches("0+")) {
            end--;
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < end; i++) {
            String digits = parts[i].replaceFirst("^0+(?=.)", "");
            out.append(i == 0 ? "" : ".").append(digits);
        }
        return out.toString();
    }

    /**
     * The names of the files in {@code location} and its sub-folders (Flyway looks in both), whether it is a folder
     * (tests) or inside a jar (the launcher).
     */
    private static List<String> filesIn(URL url, String location) throws IOException, URISyntaxException {
        switch (url.getProtocol()) {
            case "file" -> {
                try (Stream<Path> files = Files.walk(Path.of(url.toURI()))) {
                    return files.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).toList();
                }
            }
            case "jar" -> {
                URLConnection connection = url.openConnection();
                if (!(connection instanceof JarURLConnection jar)) {
                    throw new IOException("not a jar: " + url);
                }
                String prefix = location.endsWith("/") ? location : location + "/";
                Optional<List<String>> indexed = fromIndex(jar.getJarFileURL(), prefix);
                if (indexed.isPresent()) {
                    return indexed.get();
                }
                List<String> names = new ArrayList<>();
                try (JarFile file = new JarFile(new File(jar.getJarFileURL().toURI()))) {
                    for (Enumeration<JarEntry> entries = file.entries(); entries.hasMoreElements(); ) {
                        JarEntry entry = entries.nextElement();
                        if (!entry.isDirectory() && entry.getName().startsWith(prefix)) {
                            names.add(entry.getName().substring(entry.getName().lastIndexOf('/') + 1));
                        }
                    }
                }
                return names;
            }
            default -> throw new IOException("cannot list " + url);
        }
    }

    /** Where the build writes every file under {@code db/}, one a line, relative to it (engine's pom.xml). */
    static final String INDEX = "db/migrations.index";

    /**
     * The names of the files under {@code prefix} (a folder under {@code db/}, and its sub-folders) from the index the
     * build wrote into the same jar: the jar's 38,000 entries need not be listed. Empty when the jar has no index (a
     * jar built otherwise): then it is listed.
     */
    static Optional<List<String>> fromIndex(URL jarFile, String prefix) throws IOException {
        if (!prefix.startsWith("db/")) {
            return Optional.empty();
        }
        String under = prefix.substring("db/".length());
        URL index = new URL("jar:" + jarFile + "!/" + INDEX);
        String text;
        URLConnection connection = index.openConnection();
        connection.setUseCaches(false); // the jar is closed with the stream: nothing stays open
        try (java.io.InputStream in = connection.getInputStream()) {
            text = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.FileNotFoundException noIndex) {
            return Optional.empty();
        }
        List<String> names = new ArrayList<>();
        for (String line : text.split("\\R")) {
            String entry = line.strip();
            if (entry.startsWith(under) && !entry.endsWith("/")) {
                names.add(entry.substring(entry.lastIndexOf('/') + 1));
            }
        }
        return Optional.of(names);
    }
}
