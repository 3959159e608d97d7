package io.opsbot.config;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * The whole configuration, as {@code config/opsbot.yaml} has it. Sections that are absent are null; the
 * local default fills in the cluster (pointing at the emulator) and the journal.
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record OpsbotConfig(ClusterConfig cluster, JournalConfig journal, EngineConfig engine, String apps,
                           SlackConfig slack, AccessConfig access) {

    public OpsbotConfig withCluster(ClusterConfig newCluster) {
        return new OpsbotConfig(newCluster, journal, engine, apps, slack, access);
    }

    public OpsbotConfig withJournal(JournalConfig newJournal) {
        return new OpsbotConfig(cluster, newJournal, engine, apps, slack, access);
    }

    public EngineConfig engineOrDefaults() {
        return engine == null ? EngineConfig.DEFAULTS : engine;
    }

    /** The journal's JDBC settings. {@code url} defaults to an H2 file under $OPSBOT_HOME. */
    public record JournalConfig(String url, String user, String password) {}

    /** Engine bounds as durations like "2m", "30s". */
    public record EngineConfig(String lockWait, String stepTimeout, Integer retries) {
        public static final EngineConfig DEFAULTS = new EngineConfig("2m", "10m", 4);
    }

    /** Slack transport settings (the Slack issue reads these). */
    public record SlackConfig(String mode, Integer port, String botToken, String appToken, String signingSecret,
                              String apiUrl) {
        @Override
        public String toString() {
            return "SlackConfig[mode=" + mode + ", port=" + port + ", apiUrl=" + apiUrl + ", tokens=<hidden>]";
        }
    }

    /** Who may do what: user ids per role, optional per-channel command allowlists. */
    public record AccessConfig(java.util.Map<String, java.util.List<String>> roles,
                               java.util.Map<String, java.util.List<String>> channels,
                               String confirmationTimeout) {}
}
