package dev.streamscribe.cli;

import dev.streamscribe.realtime.Dialect;
import dev.streamscribe.realtime.server.DeterministicSpeechEngine;
import dev.streamscribe.realtime.server.LocalRealtimeServer;
import dev.streamscribe.testing.Await;
import dev.streamscribe.testing.ChildPipeline;
import dev.streamscribe.testing.Cli;
import dev.streamscribe.testing.SharedInfrastructure;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Scaling down with static membership: an instance killed for good stays in the group (its partitions wait for
 * the session timeout); leave-group removes it at once.
 */
class LeaveGroupIT {
    private static final String APP = "leave-group";

    private static List<String> staticMembers() {
        try (Admin admin = Admin.create(Map.<String, Object>of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                SharedInfrastructure.kafka().bootstrapServers()))) {
            return admin.describeConsumerGroups(List.of(APP)).all().get(30, TimeUnit.SECONDS).get(APP).members()
                    .stream().map(MemberDescription::groupInstanceId).flatMap(Optional::stream).sorted().toList();
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof GroupIdNotFoundException) {
                return List.of(); // not created yet
            }
            throw new AssertionError(e);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void removesAKilledStaticMemberSoItsPartitionsMoveAtOnce(@TempDir Path dir) throws Exception {
        try (LocalRealtimeServer server = LocalRealtimeServer.start(
                LocalRealtimeServer.Options.defaults(new DeterministicSpeechEngine()))) {
            List<String> flags = Cli.pipelineFlags(APP, dir.resolve("state"), server.url(Dialect.OPENAI_GA).toString());
            Map<String, String> settings = Cli.settings(flags);
            settings.put("instance.id", "worker-7");
            Process worker = ChildPipeline.launch(settings, "-Xmx512m");
            try {
                Await.until(() -> staticMembers().equals(List.of(APP + "-worker-7-1")), Duration.ofSeconds(60),
                        "the instance joins as a static member");
            } finally {
                worker.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
            assertEquals(List.of(APP + "-worker-7-1"), staticMembers(), "killed, it stays in the group");

            Cli.Result other = Cli.run(Cli.args("leave-group", flags, "--instance", "worker-8"));
            assertEquals(0, other.exitCode(), other.toString());
            assertTrue(other.out().contains("instance worker-8 is not a member"), other.out());
            Cli.Result leave = Cli.run(Cli.args("leave-group", flags, "--instance", "worker-7"));
            assertEquals(0, leave.exitCode(), leave.toString());
            assertTrue(leave.out().contains("removed instance worker-7 (" + APP + "-worker-7-1)"), leave.out());
            assertEquals(List.of(), staticMembers(), "gone now, not after the session timeout");
        }
    }

    @Test
    void matchesOnlyTheInstancesOwnThreads() {
        assertTrue(LeaveGroupCommand.ofInstance("app-worker-1-1", "app", "worker-1"));
        assertTrue(LeaveGroupCommand.ofInstance("app-worker-1-12", "app", "worker-1"));
        assertTrue(!LeaveGroupCommand.ofInstance("app-worker-10-1", "app", "worker-1"));
        assertTrue(!LeaveGroupCommand.ofInstance("app-worker-1-x", "app", "worker-1"));
    }
}
