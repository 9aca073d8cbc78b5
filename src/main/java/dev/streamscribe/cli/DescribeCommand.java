package dev.streamscribe.cli;

import dev.streamscribe.config.PipelineConfig;
import dev.streamscribe.topology.TranscribeTopology;
import picocli.CommandLine.Command;
import picocli.CommandLine;

import java.util.concurrent.Callable;

/** Prints the pipeline's Kafka Streams topology. Contacts nothing. */
@Command(name = "describe",
        header = "Print the Kafka Streams topology.",
        description = "Print the Kafka Streams topology of a pipeline definition (Topology#describe()): every source, "
                + "processor, state store and sink, by name. Contacts nothing and changes nothing.",
        footer = {"", "Example (refresh the checked-in description after changing the topology):",
                "  streamscribe describe --config topologies/transcribe.properties > topologies/transcribe.topology.txt"})
final class DescribeCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    PipelineOptions pipeline;

    @Override
    public Integer call() {
        PipelineConfig resolved = pipeline.load();
        spec.commandLine().getOut().print(TranscribeTopology.describe(resolved));
        spec.commandLine().getOut().flush();
        return 0;
    }
}
