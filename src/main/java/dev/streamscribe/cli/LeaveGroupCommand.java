package dev.streamscribe.cli;

import dev.streamscribe.config.PipelineConfig;
import dev.streamscribe.topology.PipelineTopics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.MemberToRemove;
import org.apache.kafka.clients.admin.RemoveMembersFromConsumerGroupOptions;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** Removes stopped static members from the application's consumer group, so their partitions move at once. */
@Command(name = "leave-group",
        header = "Hand a stopped instance's partitions to the others now (static membership, e.g. after a scale-down).",
        description = {"An instance with an instance.id is a static member of the application's consumer group: when it "
                + "stops it stays in the group, so a restart takes its partitions back at once. After a scale-down it "
                + "does not come back, and its partitions wait for its session to time out (45 s by default; longer "
                + "if streams.consumer.session.timeout.ms says so). This command removes it from the group through "
                + "Kafka's Admin API: the group rebalances now and the remaining instances take its partitions.",
                "Stop the instance first: a running instance that is removed rejoins at its next poll, after a "
                        + "rebalance that moved its work for nothing. Costs nothing else; nothing to undo (a returning "
                        + "instance simply joins again)."},
        footer = {"", "Examples:",
                "  streamscribe leave-group --instance streamscribe-3",
                "  streamscribe leave-group --instance streamscribe-2 --instance streamscribe-3 --config prod.properties"})
final class LeaveGroupCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    PipelineOptions pipeline;

    @Option(names = "--instance", required = true, paramLabel = "ID",
            description = "instance.id of a stopped instance (repeatable); in Kubernetes, the pod's name.")
    List<String> instances;

    @Override
    public Integer call() throws Exception {
        PipelineConfig config = pipeline.load();
        PrintWriter out = spec.commandLine().getOut();
        String group = config.applicationId();
        try (Admin admin = Admin.create(PipelineTopics.clientProperties(config))) {
            ConsumerGroupDescription description;
            try {
                description = admin.describeConsumerGroups(List.of(group)).all().get(30, TimeUnit.SECONDS).get(group);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof GroupIdNotFoundException) {
                    out.println("group " + group + " does not exist (the application has not run at "
                            + config.kafka().bootstrapServers() + "): nothing to hand over");
                    out.flush();
                    return 0;
                }
                throw e;
            }
            for (String instance : instances) {
                List<String> members = description.members().stream().map(MemberDescription::groupInstanceId)
                        .flatMap(java.util.Optional::stream)
                        .filter(id -> ofInstance(id, group, instance)).sorted().toList();
                if (members.isEmpty()) {
                    out.println("instance " + instance + " is not a member of group " + group + ": nothing to hand over");
                    continue;
                }
                admin.removeMembersFromConsumerGroup(group, new RemoveMembersFromConsumerGroupOptions(
                        members.stream().map(MemberToRemove::new).toList())).all().get(30, TimeUnit.SECONDS);
                out.println("removed instance " + instance + " (" + String.join(", ", members) + ") from group " + group
                        + ": the group rebalances now and the other instances take its partitions");
            }
        }
        out.flush();
        return 0;
    }

    /**
     * Whether a member's group.instance.id belongs to {@code instance}: the pipeline sets
     * {@code <application.id>-<instance.id>} and Kafka Streams appends {@code -<thread index>}.
     */
    static boolean ofInstance(String groupInstanceId, String applicationId, String instance) {
        String prefix = applicationId + "-" + instance + "-";
        return groupInstanceId.startsWith(prefix) && groupInstanceId.substring(prefix.length()).matches("\\d+");
    }
}
