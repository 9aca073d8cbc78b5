/*
 * Publishes a WAV recording the way a live source would, through streamscribe's producer API (dev.streamscribe.client):
 * in 100 ms pieces, in the recording's own layout (any rate, 1-8 channels, 8-32-bit integer or 32-bit float; the
 * API down-mixes and resamples), ending a turn every few seconds as a caller would at each utterance. If anything
 * fails half-way, the session is aborted, so the pipeline ends it at once instead of at its idle timeout.
 *
 * Run it with the production jar on the class path (Java 21 and later run a source file directly):
 *
 *   ./mvnw -q package -DskipTests
 *   java -cp target/streamscribe.jar docs/examples/PublishSession.java pipeline.properties call-4711 recording.wav 5
 *
 * pipeline.properties holds the pipeline's own settings, the same keys as its definition file: at least
 * bootstrap.servers and schema.registry.url, plus topic.prefix and realtime.dialect when the pipeline sets them
 * (STREAMSCRIBE_* environment variables override them, as for the CLI). The session id is yours to choose: unique to
 * this audio (a call id). Prints one JSON line (session id, run token, audio length, turns, chunks); a running
 * pipeline ('bin/streamscribe run') then transcribes the session, one TranscriptionEvent per turn.
 */

import dev.streamscribe.audio.AudioFileDecoder.RawFormat;
import dev.streamscribe.client.PublishedSession;
import dev.streamscribe.client.SessionPublisher;
import dev.streamscribe.client.SessionSpec;
import dev.streamscribe.client.SessionStream;

import java.io.File;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;

public class PublishSession {
    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: PublishSession SETTINGS.properties SESSION_ID RECORDING.wav [TURN_SECONDS]");
            System.exit(2);
        }
        Map<String, String> settings = new HashMap<>();
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(Path.of(args[0]))) {
            properties.load(reader);
        }
        properties.stringPropertyNames().forEach(key -> settings.put(key, properties.getProperty(key).trim()));
        String sessionId = args[1];
        double turnSeconds = args.length > 3 ? Double.parseDouble(args[3]) : 5;

        try (AudioInputStream recording = AudioSystem.getAudioInputStream(new File(args[2]));
             SessionPublisher publisher = SessionPublisher.connect(settings);
             // closing a session that did not end aborts it: an exception below leaves nothing waiting
             SessionStream session = publisher.open(SessionSpec.builder(sessionId).build())) {
            AudioFormat format = recording.getFormat();
            RawFormat layout = new RawFormat(Math.round(format.getSampleRate()), format.getChannels(),
                    format.getSampleSizeInBits(), format.getEncoding() == AudioFormat.Encoding.PCM_FLOAT,
                    format.isBigEndian());
            int frameBytes = format.getFrameSize();
            int framesPerPiece = Math.round(format.getSampleRate() / 10); // 100 ms, as a capture callback delivers
            byte[] piece = new byte[framesPerPiece * frameBytes];
            long framesPerTurn = Math.round(format.getSampleRate() * turnSeconds);
            long framesInTurn = 0;
            for (int read; (read = recording.readNBytes(piece, 0, piece.length)) > 0; ) {
                int whole = read - read % frameBytes;
                session.append(piece, 0, whole, layout);
                framesInTurn += whole / frameBytes;
                if (framesInTurn >= framesPerTurn) {
                    session.endTurn(); // where a caller's utterance ends
                    framesInTurn = 0;
                }
            }
            PublishedSession published = session.end();
            System.out.printf("{\"session_id\":\"%s\",\"run_token\":\"%s\",\"audio_ms\":%d,\"turns\":%d,\"chunks\":%d}%n",
                    published.sessionId(), published.runToken(), published.audioMs(), published.turns(),
                    published.chunks());
        }
    }
}
