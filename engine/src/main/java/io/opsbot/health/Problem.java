package io.opsbot.health;

/**
 * One thing that needs a person, on one line with what to do next: "nodeapp: 1 of 2 running — try: why nodeapp".
 *
 * @param severity orders the verdict, worst first
 * @param next     the command to run next, or null
 */
public record Problem(Severity severity, String subject, String what, String next) {

    public enum Severity { CRITICAL, WARNING }

    public String line() {
        return subject + ": " + what + (next == null ? "" : " — try: " + next);
    }
}
