package dev.streamscribe.cli;

import dev.streamscribe.config.PipelineConfig;
import dev.streamscribe.metrics.ProviderControl;
import dev.streamscribe.topology.PipelineTopics;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/** Ends a pause of admission that an exhausted provider quota caused, on every instance. */
@Command(name = "resume-provider",
        header = "Resume sending sessions to the provider after its quota was exhausted (every instance).",
        description = {"When the provider says the account's quota is exhausted (insufficient_quota), the session that "
                + "met it fails with INSUFFICIENT_QUOTA and every instance stops sending sessions to the provider: "
                + "each further session would fail the same way. Sessions keep waiting, nothing is lost; /health, the "
                + "metrics and 'status' say 'provider quota exhausted'.",
                "Run this once the account can pay again: it writes a command to the application's control topic "
                        + "(<application.id>-control), and every running instance resumes admission within a few "
                        + "seconds. A restart resumes an instance too, and so does the end of provider.quota-pause-ms "
                        + "(1 h by default). Nothing else changes; if the quota is still exhausted, the next session "
                        + "meets it again and admission pauses again (one session's cost)."},
        footer = {"", "Examples:",
                "  streamscribe resume-provider",
                "  streamscribe resume-provider --config prod.properties"})
final class ResumeProviderCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    PipelineOptions pipeline;

    @Override
    public Integer call() {
        PipelineConfig config = pipeline.load();
        PrintWriter out = spec.commandLine().getOut();
        PipelineTopics.prepareControl(config);
        String topic = PipelineTopics.controlTopic(config);
        ProviderControl.sendResume(PipelineTopics.clientProperties(config), topic,
                "streamscribe resume-provider (pid " + ProcessHandle.current().pid() + ")");
        out.println("asked every instance of " + config.applicationId() + " to resume sending sessions to the provider ("
                + topic + "); instances paused for an exhausted quota resume within a few seconds, and their /health "
                + "stops listing 'provider quota exhausted'");
        return 0;
    }
}
