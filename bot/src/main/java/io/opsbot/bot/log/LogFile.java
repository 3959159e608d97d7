package io.opsbot.bot.log;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * opsbot.log for a one-shot run, rolled as logback.xml's {@code SizeAndTimeBasedRollingPolicy} rolls it: when the
 * run first writes, a file last written on an earlier day is archived as {@code opsbot.DAY.N.log} (that day, the
 * next free N), one of 20 MB or more as today's next; archives older than 14 days go, then the oldest until they
 * hold at most 500 MB. A one-shot run rolls only when it opens the file (it lasts seconds to minutes), and only when
 * no long-running bot logs into the same folder: that one, on Logback, rolls while it runs ({@link LogRollLock}).
 * Each line is written whole with one write, flushed at once, as Logback's appender does, so a crash loses nothing
 * written before it.
 */
final class LogFile {

    static final String NAME = "opsbot.log";
    static final long MAX_FILE_SIZE = 20L * 1024 * 1024;
    static final int MAX_HISTORY_DAYS = 14;
    static final long TOTAL_SIZE_CAP = 500L * 1024 * 1024;
    private static final Pattern ARCHIVE = Pattern.compile("opsbot\\.(\\d{4}-\\d{2}-\\d{2})\\.(\\d+)\\.log");

    private final Path dir;
    private final ZoneId zone;
    private OutputStream out;
    /** Set once opening failed: said once on stderr, then the run goes on without its file. */
    private boolean failed;

    LogFile(Path dir, ZoneId zone) {
        this.dir = dir;
        this.zone = zone;
    }

    /** Appends one line; the file is opened (and rolled) at the first. */
    synchronized void write(String line) {
        if (failed) {
            return;
        }
        try {
            if (out == null) {
                out = open(LocalDate.now(zone));
            }
            out.write(line.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            failed = true;
            System.err.println("opsbot: cannot write the log " + dir.resolve(NAME) + ": " + e.getMessage());
        }
    }

    private OutputStream open(LocalDate today) throws IOException {
        Files.createDirectories(dir);
        // beside a running bot only appends: the bot's Logback rolls (LogRollLock says why)
        LogRollLock.whileFree(dir, () -> roll(today));
        return new FileOutputStream(dir.resolve(NAME).toFile(), true);
    }

    /** Archives opsbot.log when it belongs to an earlier day or is full, then removes what the history no longer keeps. */
    void roll(LocalDate today) throws IOException {
        Path log = dir.resolve(NAME);
        long size;
        LocalDate written;
        try {
            size = Files.size(log);
            written = LocalDate.ofInstant(Files.getLastModifiedTime(log).toInstant(), zone);
        } catch (NoSuchFileException none) {
            return;
        }
        if (!written.isBefore(today) && size < MAX_FILE_SIZE) {
            return;
        }
        LocalDate day = written.isBefore(today) ? written : today;
        Path archive = dir.resolve("opsbot." + day + "." + nextIndex(day) + ".log");
        try {
            Files.move(log, archive);
        } catch (NoSuchFileException another) {
            return; // another process rolled it meanwhile
        }
        removeOld(today);
    }

    private int nextIndex(LocalDate day) throws IOException {
        int next = 0;
        for (Archive a : archives()) {
            if (a.day().equals(day)) {
                next = Math.max(next, a.index() + 1);
            }
        }
        return next;
    }

    private void removeOld(LocalDate today) throws IOException {
        List<Archive> kept = new ArrayList<>();
        for (Archive a : archives()) {
            if (a.day().isBefore(today.minusDays(MAX_HISTORY_DAYS))) {
                Files.deleteIfExists(a.file());
            } else {
                kept.add(a);
            }
        }
        kept.sort(Comparator.comparing(Archive::day).thenComparing(Archive::index).reversed());
        long total = 0;
        for (Archive a : kept) {
            total += a.size();
            if (total > TOTAL_SIZE_CAP) {
                Files.deleteIfExists(a.file());
            }
        }
    }

    private List<Archive> archives() throws IOException {
        List<Archive> found = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "opsbot.*.log")) {
            for (Path file : files) {
                Matcher m = ARCHIVE.matcher(file.getFileName().toString());
                if (m.matches()) {
                    long size;
                    try {
                        size = Files.size(file);
                    } catch (NoSuchFileException gone) {
                        continue;
                    }
                    found.add(new Archive(file, LocalDate.parse(m.group(1)), Integer.parseInt(m.group(2)), size));
                }
            }
        }
        return found;
    }

    private record Archive(Path file, LocalDate day, int index, long size) {
    }
}
