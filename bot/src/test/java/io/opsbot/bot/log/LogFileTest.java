package io.opsbot.bot.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** opsbot.log as a one-shot run leaves it: rolled as logback.xml's policy rolls it, lines appended whole. */
class LogFileTest {

    @TempDir
    Path dir;

    private final ZoneId zone = ZoneId.systemDefault();
    private final LocalDate today = LocalDate.now(zone);

    @Test
    void linesAreAppendedToTodaysFileAndTheFolderIsMadeWhenMissing() throws IOException {
        Path logs = dir.resolve("a").resolve("logs");
        LogFile file = new LogFile(logs, zone);
        file.write("one\n");
        file.write("two\n");
        new LogFile(logs, zone).write("three\n");

        assertThat(Files.readString(logs.resolve("opsbot.log"))).isEqualTo("one\ntwo\nthree\n");
        try (Stream<Path> files = Files.list(logs)) {
            assertThat(files.map(f -> f.getFileName().toString())).containsExactlyInAnyOrder("opsbot.log", LogRollLock.NAME);
        }
    }

    @Test
    void aFileLastWrittenOnAnEarlierDayIsArchivedUnderThatDayAtTheFirstLine() throws IOException {
        LocalDate written = today.minusDays(3);
        writtenOn(dir.resolve("opsbot.log"), "old\n", written);
        writtenOn(dir.resolve("opsbot." + written + ".0.log"), "older\n", written);

        new LogFile(dir, zone).write("new\n");

        assertThat(Files.readString(dir.resolve("opsbot.log"))).isEqualTo("new\n");
        assertThat(Files.readString(dir.resolve("opsbot." + written + ".1.log"))).isEqualTo("old\n");
        assertThat(Files.readString(dir.resolve("opsbot." + written + ".0.log"))).isEqualTo("older\n");
    }

    @Test
    void aFullFileIsArchivedAsTodaysNext() throws IOException {
        Path log = dir.resolve("opsbot.log");
        try (RandomAccessFile big = new RandomAccessFile(log.toFile(), "rw")) {
            big.setLength(LogFile.MAX_FILE_SIZE);
        }
        Files.writeString(dir.resolve("opsbot." + today + ".0.log"), "earlier today\n");

        new LogFile(dir, zone).write("after\n");

        assertThat(Files.size(dir.resolve("opsbot." + today + ".1.log"))).isEqualTo(LogFile.MAX_FILE_SIZE);
        assertThat(Files.readString(log)).isEqualTo("after\n");
    }

    @Test
    void aFileOfTodayUnderTheSizeIsKeptAndNothingIsRemoved() throws IOException {
        Files.writeString(dir.resolve("opsbot.log"), "today\n");
        LocalDate old = today.minusDays(40);
        writtenOn(dir.resolve("opsbot." + old + ".0.log"), "old\n", old);

        new LogFile(dir, zone).write("more\n");

        assertThat(Files.readString(dir.resolve("opsbot.log"))).isEqualTo("today\nmore\n");
        assertThat(names()).containsExactly("opsbot." + old + ".0.log"); // cleaned up only when it rolls, as Logback does
    }

    @Test
    void rollingRemovesArchivesOlderThanTheHistoryAndTheOldestOverTheCap() throws IOException {
        LocalDate yesterday = today.minusDays(1);
        writtenOn(dir.resolve("opsbot.log"), "yesterday\n", yesterday);
        LocalDate kept = today.minusDays(LogFile.MAX_HISTORY_DAYS);
        LocalDate gone = today.minusDays(LogFile.MAX_HISTORY_DAYS + 1);
        writtenOn(dir.resolve("opsbot." + kept + ".0.log"), "14 days\n", kept);
        writtenOn(dir.resolve("opsbot." + gone + ".0.log"), "15 days\n", gone);
        writtenOn(dir.resolve("opsbot." + gone + ".1.log"), "15 days\n", gone);
        Files.writeString(dir.resolve("opsbot.notes.log"), "not an archive\n");

        new LogFile(dir, zone).write("today\n");

        assertThat(names()).containsExactlyInAnyOrder("opsbot." + yesterday + ".0.log", "opsbot." + kept + ".0.log",
                "opsbot.notes.log");
    }

    @Test
    void overTheTotalCapTheOldestArchivesGoFirst() throws IOException {
        LocalDate yesterday = today.minusDays(1);
        writtenOn(dir.resolve("opsbot.log"), "yesterday\n", yesterday);
        long each = LogFile.TOTAL_SIZE_CAP / 3 + 1;
        for (int days = 2; days <= 5; days++) {
            Path archive = dir.resolve("opsbot." + today.minusDays(days) + ".0.log");
            try (RandomAccessFile big = new RandomAccessFile(archive.toFile(), "rw")) {
                big.setLength(each);
            }
        }

        new LogFile(dir, zone).write("today\n");

        assertThat(names()).containsExactlyInAnyOrder("opsbot." + yesterday + ".0.log",
                "opsbot." + today.minusDays(2) + ".0.log", "opsbot." + today.minusDays(3) + ".0.log");
    }

    @Test
    void aLogThatCannotBeWrittenIsSaidOnceAndTheRunGoesOn() throws IOException {
        Path notADir = Files.writeString(dir.resolve("logs"), "a file where the folder should be");
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        java.io.PrintStream before = System.err;
        System.setErr(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            LogFile file = new LogFile(notADir, zone);
            file.write("one\n");
            file.write("two\n");
        } finally {
            System.setErr(before);
        }
        assertThat(err.toString(java.nio.charset.StandardCharsets.UTF_8).lines())
                .singleElement().asString().startsWith("opsbot: cannot write the log " + notADir.resolve("opsbot.log"));
    }

    @Test
    void besideAProcessThatLogsThroughLogbackALineIsAppendedAndTheFileIsLeftForThatProcessToRoll() throws Exception {
        LocalDate yesterday = today.minusDays(1);
        writtenOn(dir.resolve("opsbot.log"), "the bot's day\n", yesterday);
        Process bot = holdingTheLock(dir);
        try {
            new LogFile(dir, zone).write("an exec after midnight\n");

            assertThat(Files.readString(dir.resolve("opsbot.log"))).isEqualTo("the bot's day\nan exec after midnight\n");
            assertThat(names()).isEmpty();
        } finally {
            bot.getOutputStream().close(); // its input ends: it lets go and exits
            if (!bot.waitFor(1, java.util.concurrent.TimeUnit.MINUTES)) {
                bot.destroyForcibly();
            }
        }
    }

    @Test
    void inAProcessThatHoldsTheLockItselfTheFileIsNotRolled() throws IOException {
        try (java.nio.channels.FileChannel held = LogRollLock.lock(dir)) {
            assertThat(held).isNotNull();
            writtenOn(dir.resolve("opsbot.log"), "earlier\n", today.minusDays(2));

            new LogFile(dir, zone).write("later\n");

            assertThat(Files.readString(dir.resolve("opsbot.log"))).isEqualTo("earlier\nlater\n");
        }
    }

    /** Another JVM that holds the folder's lock as a running bot does ({@link LogRollLock#lock}), until its input is closed. */
    private static Process holdingTheLock(Path dir) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                LogRollLockHolder.class.getName(), dir.toString()).redirectErrorStream(true).start();
        String said = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream())).readLine();
        assertThat(said).as("the holder's first line").isEqualTo("held");
        return p;
    }

    private void writtenOn(Path file, String text, LocalDate day) throws IOException {
        Files.writeString(file, text);
        Files.setLastModifiedTime(file, FileTime.from(day.atTime(12, 0).atZone(zone).toInstant()));
    }

    private java.util.List<String> names() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).filter(n -> !n.equals("opsbot.log") && !n.equals(LogRollLock.NAME))
                    .sorted().toList();
        }
    }
}
