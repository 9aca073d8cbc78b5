package dev.streamscribe.realtime.server;

import dev.streamscribe.avro.TurnStatus;
import dev.streamscribe.realtime.Dialect;
import dev.streamscribe.realtime.driver.AudioPiece;
import dev.streamscribe.realtime.driver.SessionOutcome;
import dev.streamscribe.realtime.driver.TurnResult;
import dev.streamscribe.results.WordErrorRate;
import dev.streamscribe.testing.ListAudioPublisher;
import dev.streamscribe.testing.TestAudio;
import dev.streamscribe.testing.TestConfigs;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Real offline recognition: the bundled samples through the driver, the local server and pocketsphinx, scored
 * by word error rate against their reference texts. CI installs pocketsphinx, so there the test must run; on a
 * developer machine without it the test is reported as skipped, saying how to install it.
 */
class PocketsphinxEngineIT {
    private static final Path SAMPLES = Path.of(System.getProperty("streamscribe.project.dir", ".")).resolve("samples");

    @BeforeAll
    static void requirePocketsphinx() {
        boolean installed = PocketsphinxEngine.locate().isPresent();
        if (System.getenv("CI") != null) {
            assertTrue(installed, "CI must install pocketsphinx (.ci/run): apt-get install pocketsphinx pocketsphinx-en-us");
        }
        assumeTrue(installed, "pocketsphinx is not installed: apt-get install pocketsphinx pocketsphinx-en-us");
    }

    static byte[] pcm(Path wav) throws Exception {
        try (AudioInputStream in = AudioSystem.getAudioInputStream(wav.toFile())) {
            var format = in.getFormat();
            assertEquals(24000f, format.getSampleRate(), wav + " must be 24 kHz");
            assertEquals(1, format.getChannels());
            assertEquals(16, format.getSampleSizeInBits());
            return in.readAllBytes();
        }
    }

    static List<String> words(String text) {
        return WordErrorRate.words(text);
    }

    static int wordErrors(List<String> reference, List<String> hypothesis) {
        return WordErrorRate.wordErrors(reference, hypothesis);
    }

    private static List<AudioPiece> chunks(byte[] audio) {
        List<AudioPiece> pieces = new ArrayList<>();
        int chunk = 48_000; // one second
        for (int offset = 0; offset < audio.length; offset += chunk) {
            int length = Math.min(chunk, audio.length - offset);
            pieces.add(new AudioPiece(0, ByteBuffer.wrap(audio, offset, length).slice(), offset + length >= audio.length));
        }
        return pieces;
    }

    private static SessionOutcome.Completed transcribe(ServerFixture fixture, Dialect dialect, byte[] audio) throws Exception {
        long millis = audio.length / 48;
        var outcome = fixture.driver(dialect).run(TestAudio.request(TestConfigs.transcription(dialect, "ps"), millis),
                new ListAudioPublisher(chunks(audio))).get(120, TimeUnit.SECONDS);
        if (outcome instanceof SessionOutcome.Failed failed) {
            throw new AssertionError("session failed: " + failed.classification());
        }
        return (SessionOutcome.Completed) outcome;
    }

    @Test
    void shouldTranscribeTheBundledSamplesWithAWordErrorRateOfAtMostTwentyPercent() throws Exception {
        List<Path> clips;
        try (Stream<Path> files = Files.list(SAMPLES)) {
            clips = files.filter(f -> f.toString().endsWith(".wav")).sorted().toList();
        }
        assertTrue(clips.size() >= 6, "samples/ has " + clips.size() + " clips");
        int errors = 0;
        int referenceWords = 0;
        double audioSeconds = 0;
        long started = System.nanoTime();
        try (PocketsphinxEngine engine = PocketsphinxEngine.start(2);
             ServerFixture fixture = new ServerFixture(LocalRealtimeServer.Options.defaults(engine))) {
            int i = 0;
            for (Path clip : clips) {
                byte[] audio = pcm(clip);
                audioSeconds += audio.length / 48_000.0;
                Dialect dialect = Dialect.values()[i++ % 3];
                TurnResult turn = transcribe(fixture, dialect, audio).turns().getFirst();
                assertEquals(TurnStatus.COMPLETED, turn.status());
                List<String> reference = words(Files.readString(Path.of(clip.toString().replace(".wav", ".txt"))));
                int clipErrors = wordErrors(reference, words(turn.transcript()));
                System.out.printf("%-24s %-7s WER %5.1f%%  %s%n", clip.getFileName(), dialect.id(),
                        100.0 * clipErrors / reference.size(), turn.transcript());
                errors += clipErrors;
                referenceWords += reference.size();
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        double wer = (double) errors / referenceWords;
        System.out.printf("pocketsphinx: WER %.1f%% over %d words; %.1f s of audio in %.1f s wall (real-time factor %.2f, "
                + "2 decoders, sessions one after another)%n", 100 * wer, referenceWords, audioSeconds, seconds, seconds / audioSeconds);
        assertTrue(wer <= 0.20, "word error rate " + wer);
    }

    @Test
    void shouldGiveAnEmptyTranscriptForSilence() throws Exception {
        try (PocketsphinxEngine engine = PocketsphinxEngine.start(1);
             ServerFixture fixture = new ServerFixture(LocalRealtimeServer.Options.defaults(engine))) {
            TurnResult turn = transcribe(fixture, Dialect.OPENAI_GA, new byte[48_000 * 2]).turns().getFirst();
            assertEquals(TurnStatus.COMPLETED, turn.status());
            assertEquals("", turn.transcript());
        }
    }

    @Test
    void shouldFailOnlyTheItemWhoseDecoderCrashedAndReplaceTheDecoder(@TempDir Path dir) throws Exception {
        // a stand-in decoder that dies (SIGSEGV's exit code) on a turn of exactly 96,000 bytes, else runs pocketsphinx
        Path crashy = dir.resolve("crashy-pocketsphinx");
        Files.writeString(crashy, """
                #!/usr/bin/env bash
                tmp=$(mktemp)
                cat > "$tmp"
                if [ "$(stat -c %%s "$tmp")" = 96000 ]; then rm -f "$tmp"; exit 139; fi
                %s "$@" < "$tmp"; status=$?
                rm -f "$tmp"
                exit $status
                """.formatted(PocketsphinxEngine.locate().orElseThrow()));
        crashy.toFile().setExecutable(true);
        byte[] speech = pcm(SAMPLES.resolve("04-hts-library.wav"));
        try (PocketsphinxEngine engine = PocketsphinxEngine.startWith(crashy, 1);
             ServerFixture fixture = new ServerFixture(LocalRealtimeServer.Options.defaults(engine))) {
            var outcome = fixture.driver(Dialect.OPENAI_GA).run(TestAudio.request(
                    TestConfigs.transcription(Dialect.OPENAI_GA, "crash"), 2_000, speech.length / 48),
                    new ListAudioPublisher(Stream.concat(
                            Stream.of(new AudioPiece(0, ByteBuffer.wrap(new byte[96_000]), true)),
                            chunks(speech).stream().map(p -> new AudioPiece(1, p.audio(), p.endOfTurn()))).toList()))
                    .get(120, TimeUnit.SECONDS);
            SessionOutcome.Completed completed = assertInstanceOf(SessionOutcome.Completed.class, outcome, outcome::toString);
            assertEquals(TurnStatus.FAILED, completed.turns().get(0).status());
            assertTrue(completed.turns().get(0).reason().orElseThrow().startsWith("TRANSCRIPTION_FAILED"));
            assertEquals(TurnStatus.COMPLETED, completed.turns().get(1).status());
            assertTrue(completed.turns().get(1).transcript().contains("library"), completed.turns().get(1).transcript());
        }
    }
}
