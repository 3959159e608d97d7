package io.opsbot.alerts;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * How alerts behave and where they go.
 *
 * @param channel       the chat channel alerts are posted in (Slack channel id); null: the console only
 * @param appChannels   per-app overrides of the channel
 * @param disabledKinds kinds that are recorded nowhere and shown nowhere
 * @param poll          how often agents, apps and deployments are read (catches what events miss)
 * @param stable        how long an app must stay at its wanted instances and healthy (or an agent back) before
 *                      its incident resolves
 * @param underReplicatedGrace how long an app may run fewer tasks than wanted, outside a deployment, before it is an incident
 * @param stuckAfter    a deployment running longer than this is stuck
 * @param reopenWindow  an incident that fails again within this after it resolved reopens (same message)
 * @param streamGap     the event stream down longer than this is itself an incident (a blind spot)
 * @param lookback      at start or takeover, a task failure this recent is reconciled into an incident
 */
public record AlertSettings(String channel, Map<String, String> appChannels, Set<IncidentKind> disabledKinds,
                            Duration poll, Duration stable, Duration underReplicatedGrace, Duration stuckAfter,
                            Duration reopenWindow, Duration streamGap, Duration lookback) {

    public static final AlertSettings DEFAULTS = new AlertSettings(null, Map.of(), Set.of(), Duration.ofSeconds(10),
            Duration.ofSeconds(60), Duration.ofMinutes(2), Duration.ofMinutes(10), Duration.ofMinutes(30),
            Duration.ofSeconds(30), Duration.ofMinutes(2));

    public AlertSettings {
        appChannels = appChannels == null ? Map.of() : Map.copyOf(appChannels);
        disabledKinds = disabledKinds == null ? Set.of() : Set.copyOf(disabledKinds);
        Objects.requireNonNull(poll, "poll");
        Objects.requireNonNull(stable, "stable");
        Objects.requireNonNull(underReplicatedGrace, "underReplicatedGrace");
        Objects.requireNonNull(stuckAfter, "stuckAfter");
        Objects.requireNonNull(reopenWindow, "reopenWindow");
        Objects.requireNonNull(streamGap, "streamGap");
        Objects.requireNonNull(lookback, "lookback");
    }

    /** From the configuration's alerts section (null: the defaults). */
    public static AlertSettings from(io.opsbot.config.OpsbotConfig.AlertsConfig c) {
        if (c == null) {
            return DEFAULTS;
        }
        Map<String, String> channels = new java.util.HashMap<>();
        if (c.apps() != null) {
            c.apps().forEach((app, routing) -> channels.put(app, routing.channel()));
        }
        Set<IncidentKind> off = java.util.EnumSet.noneOf(IncidentKind.class);
        if (c.kinds() != null) {
            c.kinds().forEach((name, on) -> {
                if (Boolean.FALSE.equals(on)) {
                    for (IncidentKind k : IncidentKind.values()) {
                        if (k.configName().equals(name)) {
                            off.add(k);
                        }
                    }
                }
            });
        }
        AlertSettings d = DEFAULTS;
        return new AlertSettings(c.channel(), channels, off, or(c.poll(), d.poll()), or(c.stable(), d.stable()),
                or(c.underReplicatedAfter(), d.underReplicatedGrace()), or(c.stuckAfter(), d.stuckAfter()),
                or(c.reopenWithin(), d.reopenWindow()), or(c.streamGap(), d.streamGap()), d.lookback());
    }

    private static Duration or(String text, Duration fallback) {
        return io.opsbot.config.Durations.parse(text).orElse(fallback);
    }

    public boolean enabled(IncidentKind kind) {
        return !disabledKinds.contains(kind);
    }

    /** Where an incident about {@code subject} is posted: its app's override, else the alert channel. */
    public String channelFor(String subject) {
        return appChannels.getOrDefault(subject, channel);
    }

    public AlertSettings withChannel(String newChannel) {
        return new AlertSettings(newChannel, appChannels, disabledKinds, poll, stable, underReplicatedGrace, stuckAfter,
                reopenWindow, streamGap, lookback);
    }

    /** The same, with every bound scaled for tests: poll, stable period, grace, gap. */
    public AlertSettings withTimes(Duration newPoll, Duration newStable, Duration newGrace, Duration newStreamGap) {
        return new AlertSettings(channel, appChannels, disabledKinds, newPoll, newStable, newGrace, stuckAfter,
                reopenWindow, newStreamGap, lookback);
    }
}
