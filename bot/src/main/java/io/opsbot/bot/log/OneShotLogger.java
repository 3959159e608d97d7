package io.opsbot.bot.log;

import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.FormattingTuple;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;

/** A logger of a one-shot run: its events at or above its level go to opsbot.log, errors to stderr as well. */
final class OneShotLogger extends LegacyAbstractLogger {

    private static final long serialVersionUID = 1L;

    private final transient OneShotLogProvider.Sinks sinks;
    private final int threshold;

    OneShotLogger(String name, int threshold, OneShotLogProvider.Sinks sinks) {
        this.name = name;
        this.threshold = threshold;
        this.sinks = sinks;
    }

    private boolean enabled(Level level) {
        return level.toInt() >= threshold;
    }

    @Override
    public boolean isTraceEnabled() {
        return enabled(Level.TRACE);
    }

    @Override
    public boolean isDebugEnabled() {
        return enabled(Level.DEBUG);
    }

    @Override
    public boolean isInfoEnabled() {
        return enabled(Level.INFO);
    }

    @Override
    public boolean isWarnEnabled() {
        return enabled(Level.WARN);
    }

    @Override
    public boolean isErrorEnabled() {
        return enabled(Level.ERROR);
    }

    @Override
    protected String getFullyQualifiedCallerName() {
        return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(Level level, Marker marker, String pattern, Object[] arguments,
                                               Throwable thrown) {
        if (!enabled(level)) {
            return; // the fluent API asks here without asking isEnabled first
        }
        FormattingTuple formatted = thrown == null
                ? MessageFormatter.arrayFormat(pattern, arguments)
                : MessageFormatter.arrayFormat(pattern, arguments, thrown);
        String message = formatted.getMessage() == null ? "null" : formatted.getMessage();
        sinks.accept(new LogLine(System.currentTimeMillis(), level.toString(), Thread.currentThread().getName(), name,
                message, formatted.getThrowable()));
    }
}
