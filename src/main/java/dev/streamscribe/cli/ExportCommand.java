package dev.streamscribe.cli;

import dev.streamscribe.avro.SessionResult;
import dev.streamscribe.avro.SessionStatus;
import dev.streamscribe.config.PipelineConfig;
import dev.streamscribe.results.ResultCollector;
import dev.streamscribe.results.ResultsSnapshot;
import dev.streamscribe.results.SessionTranscript;
import dev.streamscribe.results.TranscriptFiles;
import dev.streamscribe.results.TranscriptFormat;
import dev.streamscribe.topology.PipelineTopics;
import dev.streamscribe.topology.Topics;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;

/** Writes finished sessions' transcripts to files. */
@Command(name = "export",
        header = "Write finished transcripts to files: txt, jsonl, srt or vtt.",
        description = {"Write the transcripts of finished sessions into a folder: one file per session and format, "
                + "named after the recording (meeting.wav -> meeting.txt). Reads the output topics with read_committed "
                + "consumers that belong to no consumer group: it changes nothing and can run at any time, also while "
                + "the pipeline runs (it exports what has finished so far).",
                "srt and vtt cues are the turns, timed by their start and end in the recording. Sessions that ended "
                        + "FAILED or EXPIRED have no transcript: they are listed on stderr ('streamscribe replay' "
                        + "sends failed ones again). Existing files of the same name are replaced."},
        footer = {"", "Examples:",
                "  streamscribe export --out transcripts/",
                "  streamscribe export --out subtitles/ --format srt,vtt",
                "  streamscribe export --out one/ --format jsonl --session s-0f3a..."})
final class ExportCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    PipelineOptions pipeline;

    @Option(names = "--out", required = true, description = "Folder to write into (created if missing).")
    Path out;

    @Option(names = "--format", split = ",", defaultValue = "txt",
            description = "txt, jsonl, srt or vtt; several separated by commas (default: ${DEFAULT-VALUE}).")
    List<String> formats;

    @Option(names = "--session", split = ",", description = "Export only these session ids.")
    Set<String> sessions = Set.of();

    @Override
    public Integer call() throws IOException {
        List<TranscriptFormat> chosen = formats.stream().map(TranscriptFormat::parse).distinct().toList();
        PipelineConfig config = pipeline.load();
        Topics topics = PipelineTopics.connect(config, System.getenv());
        ResultCollector collected = ResultsSnapshot.results(PipelineTopics.clientProperties(config), topics);
        TranscriptFiles files = new TranscriptFiles(out, chosen);
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        int exported = 0;
        List<String> withoutTranscript = new ArrayList<>();
        for (SessionResult result : collected.results()) {
            if (!sessions.isEmpty() && !sessions.contains(result.getSessionId())) {
                continue;
            }
            if (result.getStatus() == SessionStatus.FAILED || result.getStatus() == SessionStatus.EXPIRED) {
                withoutTranscript.add(result.getSessionId() + " " + result.getStatus() + " " + result.getReason()
                        + source(result));
                continue;
            }
            SessionTranscript transcript = collected.transcript(result.getSessionId()).orElseThrow();
            for (Path written : files.write(transcript)) {
                stdout.println(written);
            }
            exported++;
        }
        stdout.flush();
        err.println("exported " + exported + " session(s) to " + out + " as " + chosen.stream()
                .map(TranscriptFormat::extension).toList() + (withoutTranscript.isEmpty() ? ""
                : "; " + withoutTranscript.size() + " session(s) have no transcript:"));
        withoutTranscript.forEach(line -> err.println("  " + line));
        List<String> missing = sessions.stream().filter(id -> collected.result(id).isEmpty()).sorted().toList();
        if (!missing.isEmpty()) {
            err.println("no result (yet) for: " + String.join(", ", missing));
        }
        err.flush();
        return missing.isEmpty() ? 0 : 1;
    }

    private static String source(SessionResult result) {
        String source = result.getMetadata().get("source");
        return source == null ? "" : " (" + source + ")";
    }
}
