package io.opsbot.cluster.docker;

import io.opsbot.engine.OpsException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * A build context as the daemon receives it: every file of the folder except {@code .git} and what
 * {@code .dockerignore} excludes (by Docker's rules; the Dockerfile and .dockerignore are always sent). The tar
 * sent to the daemon and the content hash are made from the same file list, so the hash names exactly what
 * was built. Equal contexts give equal hashes on any machine: paths use '/', and timestamps, owners and
 * permissions other than the executable bit do not count. So the hash can serve as an image tag.
 */
final class BuildContext {

    static final int LENGTH = 12;
    private static final String DOCKERIGNORE = ".dockerignore";
    // The daemon needs these even when .dockerignore names them (COPY still leaves them out).
    private static final Set<String> ALWAYS_SENT = Set.of("Dockerfile", DOCKERIGNORE);

    private final Path context;
    private final List<Rule> rules;

    private record Rule(Pattern pattern, boolean exclude) {}

    BuildContext(Path context) {
        this.context = context;
        this.rules = readIgnoreRules(context.resolve(DOCKERIGNORE));
    }

    /** The first 12 hex digits of the SHA-256 over every file's path, kind, executable bit, size and content. */
    String hash() {
        MessageDigest sha = sha256();
        List<String> files = files();
        byte[] buffer = new byte[64 * 1024];
        for (String relative : files) {
            Path file = context.resolve(relative);
            byte[] name = relative.getBytes(StandardCharsets.UTF_8);
            // Length prefixes keep "ab"+"c" and "a"+"bc" apart.
            sha.update(ByteBuffer.allocate(4).putInt(name.length).array());
            sha.update(name);
            try {
                if (Files.isSymbolicLink(file)) {
                    byte[] target = Files.readSymbolicLink(file).toString().getBytes(StandardCharsets.UTF_8);
                    sha.update((byte) 'L');
                    sha.update(ByteBuffer.allocate(8).putLong(target.length).array());
                    sha.update(target);
                } else {
                    sha.update((byte) (Files.isExecutable(file) ? 'X' : 'F'));
                    sha.update(ByteBuffer.allocate(8).putLong(Files.size(file)).array());
                    try (InputStream in = Files.newInputStream(file)) {
                        for (int n; (n = in.read(buffer)) > 0; ) {
                            sha.update(buffer, 0, n);
                        }
                    }
                }
            } catch (IOException e) {
                throw new OpsException("cannot read " + file + " of build context " + context + ": " + e.getMessage(), e);
            }
        }
        return HexFormat.of().formatHex(sha.digest()).substring(0, LENGTH);
    }

    /** The files that count, as '/'-separated paths relative to the context, sorted. */
    List<String> files() {
        if (!Files.isDirectory(context)) {
            throw new OpsException("build context " + context + " is not a folder");
        }
        List<String> files = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(context)) {
            walk.filter(p -> !Files.isDirectory(p) || Files.isSymbolicLink(p))
                    .map(p -> slashed(context.relativize(p)))
                    .filter(rel -> ALWAYS_SENT.contains(rel) || (!inGit(rel) && !ignored(rel)))
                    .forEach(files::add);
        } catch (IOException e) {
            throw new OpsException("cannot list build context " + context + ": " + e.getMessage(), e);
        }
        files.sort(String::compareTo);
        return files;
    }

    /**
     * Writes the context as the tar the Engine API's build endpoint takes: the files of {@link #files()}, with
     * their executable bit and symbolic links kept.
     */
    void writeTar(OutputStream out) throws IOException {
        TarArchiveOutputStream tar = new TarArchiveOutputStream(out);
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        for (String relative : files()) {
            Path file = context.resolve(relative);
            TarArchiveEntry entry;
            if (Files.isSymbolicLink(file)) {
                entry = new TarArchiveEntry(relative, TarConstants.LF_SYMLINK);
                entry.setLinkName(Files.readSymbolicLink(file).toString());
                tar.putArchiveEntry(entry);
            } else {
                entry = new TarArchiveEntry(relative);
                entry.setSize(Files.size(file));
                entry.setMode(Files.isExecutable(file) ? 0100755 : 0100644);
                entry.setModTime(Files.getLastModifiedTime(file));
                tar.putArchiveEntry(entry);
                Files.copy(file, tar);
            }
            tar.closeArchiveEntry();
        }
        tar.finish();
    }

    private static boolean inGit(String relative) {
        return relative.equals(".git") || relative.startsWith(".git/") || relative.contains("/.git/");
    }

    /**
     * Docker's .dockerignore rule: the last pattern that matches the path, or one of its parent folders, decides;
     * a pattern starting with '!' re-includes.
     */
    boolean ignored(String relative) {
        boolean ignored = false;
        for (Rule rule : rules) {
            if (matchesSelfOrParent(rule.pattern(), relative)) {
                ignored = rule.exclude();
            }
        }
        return ignored;
    }

    private static boolean matchesSelfOrParent(Pattern pattern, String relative) {
        String path = relative;
        while (true) {
            if (pattern.matcher(path).matches()) {
                return true;
            }
            int slash = path.lastIndexOf('/');
            if (slash < 0) {
                return false;
            }
            path = path.substring(0, slash);
        }
    }

    private static List<Rule> readIgnoreRules(Path file) {
        if (!Files.isRegularFile(file)) {
            return List.of();
        }
        List<Rule> rules = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                String pattern = line.strip();
                if (pattern.isEmpty() || pattern.startsWith("#")) {
                    continue;
                }
                boolean exclude = true;
                if (pattern.startsWith("!")) {
                    exclude = false;
                    pattern = pattern.substring(1).strip();
                }
                // Docker cleans patterns like paths: no leading or trailing slash, no "./".
                pattern = pattern.replaceAll("^(\\./|/)+", "").replaceAll("/+$", "");
                if (!pattern.isEmpty()) {
                    rules.add(new Rule(toRegex(pattern), exclude));
                }
            }
        } catch (IOException e) {
            throw new OpsException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return rules;
    }

    /**
     * A .dockerignore pattern as a regex, by Docker's rules (moby/patternmatcher): {@code *} and {@code ?} stay
     * within one path part, {@code **} spans parts ({@code **}{@code /} also matches no part at all),
     * {@code [...]} is a class, a backslash escapes.
     */
    static Pattern toRegex(String pattern) {
        StringBuilder re = new StringBuilder();
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '*') {
                if (i + 1 < pattern.length() && pattern.charAt(i + 1) == '*') {
                    i++;
                    if (i + 1 < pattern.length() && pattern.charAt(i + 1) == '/') {
                        i++;
                    }
                    re.append(i + 1 == pattern.length() ? ".*" : "(.*/)?");
                } else {
                    re.append("[^/]*");
                }
            } else if (c == '?') {
                re.append("[^/]");
            } else if (c == '[') {
                int end = pattern.indexOf(']', i + 1);
                if (end < 0) {
                    re.append("\\[");
                } else {
                    String body = pattern.substring(i + 1, end);
                    re.append('[').append(body.startsWith("!") ? "^" + body.substring(1) : body).append(']');
                    i = end;
                }
            } else if (c == '\\' && i + 1 < pattern.length()) {
                re.append(Pattern.quote(String.valueOf(pattern.charAt(++i))));
            } else {
                re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(re.toString());
    }

    private static String slashed(Path relative) {
        return relative.toString().replace(relative.getFileSystem().getSeparator(), "/");
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
