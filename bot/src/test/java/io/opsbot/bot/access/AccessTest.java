package io.opsbot.bot.access;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.opsbot.bot.CommandHandler;
import io.opsbot.bot.Request;
import io.opsbot.bot.Response;
import io.opsbot.bot.command.CommandParser;
import io.opsbot.bot.command.KnownNames;
import io.opsbot.bot.command.Role;
import io.opsbot.config.OpsbotConfig.AccessConfig;
import io.opsbot.engine.Report;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class AccessTest {

    final AccessConfig config = new AccessConfig(Map.of(
            "admin", List.of("UADMIN"),
            "operator", List.of("UOPS1", "UOPS2", "SONCALL"),
            "viewer", List.of("*")),
            Map.of("C0PROD", List.of("status", "logs")), "90s");
    final GroupDirectory groups = id -> id.equals("SONCALL") ? Set.of("UPAGED") : Set.of();
    final Access access = new Access(config, groups);

    /** Found by ChatEntryPointsFuzzTest: a denial quoted the first word whole, a 100 KB paste or bidi controls included. */
    @Test
    void aDenialQuotesTheTypedWordShortAndVisible() {
        String pasted = "\u202E".repeat(2_000) + " nodeapp";
        assertThat(access.denial(new Request(pasted, "UNOBODY", "C1", false)))
                .startsWith("\\u202E".repeat(40) + "… needs the operator role").hasSizeLessThan(400);
        assertThat(access.denial(new Request("x".repeat(100_000), "UVIEW", "C0PROD", false)))
                .isEqualTo("`" + "x".repeat(40) + "…` is not allowed in this channel; allowed here: status, logs");
    }

    @Test
    void aDenialReachesTheAuditTrailWhileAnsweredCommandsAreLeftToThePipeline() {
        List<String> trail = new java.util.ArrayList<>();
        io.opsbot.bot.CommandHandler guarded = access.withAudit((request, outcome) -> trail.add(request.user() + " " + outcome))
                .guard((request, progress) -> new io.opsbot.bot.Response.Rejected("from the pipeline"));
        guarded.handle(new io.opsbot.bot.Request("scale nodeapp 5", "UVIEW", "C1", false), io.opsbot.engine.ProgressListener.NONE);
        guarded.handle(new io.opsbot.bot.Request("status", "UVIEW", "C1", false), io.opsbot.engine.ProgressListener.NONE);
        assertThat(trail).hasSize(1);
        assertThat(trail.get(0)).startsWith("UVIEW denied: scale needs the operator role");
    }

    @Test
    void reportsAreForOperatorsAndRemovingAScheduleForAdmins() {
        assertThat(access.denial(new Request("report schedule \"0 0 9 * * ?\" #ops", "UOPS1", "C0OPS", false))).isNull();
        assertThat(access.denial(new Request("report now", "UVIEW", "C0OPS", false)))
                .startsWith("report needs the operator role");
        assertThat(access.denial(new Request("report unschedule r-3f9a2c", "UOPS1", "C0OPS", false)))
                .isEqualTo("report unschedule needs the admin role; admins: <@UADMIN>");
        assertThat(access.denial(new Request("/ops report UNSCHEDULE r-3f9a2c", "UADMIN", "C0OPS", false))).isNull();
        assertThat(access.denial(new Request("why nodeapp", "UVIEW", "C0OPS", false))).isNull();
    }

    @Test
    void everyCommandOfTheGrammarByEveryRoleInEveryChannelIsAllowedOrDeniedAsTheConfigurationSays() {
        io.opsbot.bot.command.Grammar grammar = AccessTable.grammar();
        Access configured = new Access(AccessTable.CONFIG, AccessTable.GROUPS, Access.verbRoles(grammar), AccessTable.OWNERS);
        List<String> ran = new java.util.ArrayList<>();
        CommandHandler guarded = configured.guard((request, progress) -> {
            ran.add(request.text() + "|" + request.user() + "|" + request.channel());
            return new Response.Answer(new Report("ok", List.of(), false));
        });
        List<AccessTable.Case> cases = AccessTable.cases(grammar);
        java.util.Map<AccessTable.Case, String> denials = new java.util.HashMap<>();
        for (AccessTable.Case c : cases) {
            Response r = guarded.handle(new Request(c.command(), c.caller().user(), c.channel(), false), null);
            if (r instanceof Response.Rejected rejected) {
                denials.put(c, rejected.message());
            }
        }

        System.out.println("access table (" + cases.size() + " tries, every example of every command):\n"
                + AccessTable.render(cases, c -> !denials.containsKey(c)));
        assertThat(cases).allSatisfy(c -> assertThat(!denials.containsKey(c)).as("%s by %s in %s (%s)", c.command(),
                c.caller().holds(), c.channel(), c.why()).isEqualTo(c.allowed()));
        assertThat(ran).hasSize((int) cases.stream().filter(AccessTable.Case::allowed).count());
        // every denial says why: the channel's list, or the role needed and who has it
        assertThat(denials).allSatisfy((c, message) -> assertThat(message).satisfiesAnyOf(
                m -> assertThat(m).contains("is not allowed in this channel; allowed here: status, logs, history"),
                m -> assertThat(m).containsPattern("needs the (viewer|operator|admin) role").contains("<@")));
        assertThat(cases.stream().map(AccessTable.Case::command).map(t -> t.split(" ")[0]).distinct())
                .containsExactlyInAnyOrderElementsOf(grammar.verbs().stream().map(io.opsbot.bot.command.VerbSpec::key).toList());
    }

    @Test
    void theHighestRoleWinsWhetherGivenDirectlyThroughAGroupOrToEveryone() {
        assertThat(access.roleOf("UADMIN")).contains(Role.ADMIN);
        assertThat(access.roleOf("UOPS1")).contains(Role.OPERATOR);
        assertThat(access.roleOf("UPAGED")).contains(Role.OPERATOR);
        assertThat(access.roleOf("UANYONE")).contains(Role.VIEWER);
        assertThat(new Access(new AccessConfig(Map.of("admin", List.of("UADMIN")), null, null), groups).roleOf("UANYONE")).isEmpty();
    }

    @Test
    void aDenialNamesTheRoleNeededAndWhoHasIt() {
        assertThat(access.denial(new Request("scale nodeapp 5", "UVIEW", "C0OPS", false)))
                .isEqualTo("scale needs the operator role; operators: <@UOPS1>, <@UOPS2>, <!subteam^SONCALL>; admins: <@UADMIN>");
        assertThat(access.denial(new Request("move mongo node3", "UOPS1", "C0OPS", false)))
                .isEqualTo("move needs the admin role; admins: <@UADMIN>");
        assertThat(new Access(new AccessConfig(Map.of(), null, null), groups).denial(new Request("status", "U1", "C1", false)))
                .isEqualTo("status needs the viewer role; nobody has it yet: add people under access.roles.viewer in opsbot.yaml");
    }

    @Test
    void eachRoleMayRunWhatTheRolesBelowItMay() {
        assertThat(access.denial(new Request("status", "UVIEW", "C0OPS", false))).isNull();
        assertThat(access.denial(new Request("scale nodeapp 3", "UOPS1", "C0OPS", false))).isNull();
        assertThat(access.denial(new Request("scale nodeapp 3", "UPAGED", "C0OPS", false))).isNull();
        assertThat(access.denial(new Request("move mongo node3", "UADMIN", "C0OPS", false))).isNull();
        assertThat(access.denial(new Request("logs marathon", "UADMIN", "C0OPS", false))).isNull();
    }

    @Test
    void aChannelAllowlistLimitsEvenAdminsButAlwaysAllowsHelp() {
        assertThat(access.denial(new Request("deploy nodeapp", "UADMIN", "C0PROD", false)))
                .isEqualTo("`deploy` is not allowed in this channel; allowed here: status, logs");
        assertThat(access.denial(new Request("status", "UVIEW", "C0PROD", false))).isNull();
        assertThat(access.denial(new Request("help", "UVIEW", "C0PROD", false))).isNull();
    }

    @Test
    void cancellingSomeoneElsesOperationNeedsAdmin() {
        Access withOwners = access.withOwners(id -> id.equals("op-1") ? Optional.of("UOPS1") : Optional.empty());

        assertThat(withOwners.denial(new Request("cancel op-1", "UOPS1", "C0OPS", false))).isNull();
        assertThat(withOwners.denial(new Request("cancel op-1", "UOPS2", "C0OPS", false)))
                .isEqualTo("cancelling another person's operation needs the admin role (it was started by <@UOPS1>); admins: <@UADMIN>");
        assertThat(withOwners.denial(new Request("cancel op-1", "UADMIN", "C0OPS", false))).isNull();
        assertThat(withOwners.denial(new Request("cancel op-1", "UVIEW", "C0OPS", false))).startsWith("cancel needs the operator role");
    }

    @Test
    void onlyTheRequesterOrAnAdminMayConfirm() {
        assertThat(access.mayConfirm("UOPS1", "UOPS1")).isTrue();
        assertThat(access.mayConfirm("UADMIN", "UOPS1")).isTrue();
        assertThat(access.mayConfirm("UOPS2", "UOPS1")).isFalse();
        assertThat(access.confirmationTimeout()).isEqualTo(Duration.ofSeconds(90));
        assertThat(new Access(null, groups).confirmationTimeout()).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void theVerbIsTheFirstWordAfterTheCommandOrMention() {
        assertThat(Access.verbOf("/ops Scale nodeapp 3")).isEqualTo("scale");
        assertThat(Access.verbOf("<@U0BOT> deploy nodeapp")).isEqualTo("deploy");
        assertThat(Access.verbOf("<@U0BOT|opsbot>: status")).isEqualTo("status");
        assertThat(Access.verbOf("@opsbot  logs marathon")).isEqualTo("logs");
        assertThat(Access.verbOf("   ")).isEqualTo("help");
        assertThat(Access.stripAddress("<@U0BOT> who deployed nodeapp")).isEqualTo("who deployed nodeapp");
    }

    @Test
    void anUnknownVerbNeedsTheOperatorRoleBecauseItMightChangeSomething() {
        assertThat(access.requiredRole("frobnicate")).isEqualTo(Role.OPERATOR);
    }

    @Test
    void theDefaultTableIsTheGrammarsTable() {
        CommandParser parser = new CommandParser(KnownNames.withDefaultServices(List.of("nodeapp"), List.of("node1")));
        assertThat(Access.verbRoles(parser.grammar())).containsExactlyEntriesOf(Access.DEFAULT_VERBS);
    }

    @Test
    void theGuardNeverRunsADeniedCommandAndAuditsEveryCommand() {
        Logger auditLog = (Logger) LoggerFactory.getLogger("io.opsbot.audit");
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        auditLog.addAppender(lines);
        AtomicInteger ran = new AtomicInteger();
        CommandHandler guarded = access.guard((request, progress) -> {
            ran.incrementAndGet();
            return new Response.Answer(new Report("status", List.of(), false));
        });
        try {
            Response denied = guarded.handle(new Request("scale nodeapp 5", "UVIEW", "C0OPS", false), null);
            Response answered = guarded.handle(new Request("status \"x\"\nmore", "UVIEW", "C0OPS", false), null);

            assertThat(denied).isInstanceOf(Response.Rejected.class);
            assertThat(answered).isInstanceOf(Response.Answer.class);
            assertThat(ran).hasValue(1);
            assertThat(lines.list).extracting(ILoggingEvent::getFormattedMessage).containsExactly(
                    "event=audit user=UVIEW channel=C0OPS text=\"scale nodeapp 5\" outcome=denied",
                    "event=audit user=UVIEW channel=C0OPS text=\"status 'x' more\" outcome=answered");
        } finally {
            auditLog.detachAppender(lines);
        }
    }

    @Test
    void groupMembersAreCachedForTheTtlAndTheLastKnownSurvivesAFailure() {
        AtomicInteger calls = new AtomicInteger();
        boolean[] failing = {false};
        GroupDirectory slack = id -> {
            calls.incrementAndGet();
            if (failing[0]) {
                throw new IllegalStateException("ratelimited");
            }
            return Set.of("U" + calls.get());
        };
        Instant[] now = {Instant.parse("2026-01-01T00:00:00Z")};
        Clock clock = new Clock() {
            @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
            @Override public Clock withZone(java.time.ZoneId zone) { return this; }
            @Override public Instant instant() { return now[0]; }
        };
        CachedGroupDirectory cached = new CachedGroupDirectory(slack, Duration.ofMinutes(5), clock);

        assertThat(cached.members("S1")).containsExactly("U1");
        now[0] = now[0].plusSeconds(299);
        assertThat(cached.members("S1")).containsExactly("U1");
        assertThat(calls).hasValue(1);
        now[0] = now[0].plusSeconds(2);
        assertThat(cached.members("S1")).containsExactly("U2");
        now[0] = now[0].plusSeconds(301);
        failing[0] = true;
        assertThat(cached.members("S1")).containsExactly("U2");
        assertThat(cached.members("S9")).isEmpty();
    }
}
