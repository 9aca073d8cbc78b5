package dev.streamscribe.client;

import dev.streamscribe.audio.AudioEncoding;
import dev.streamscribe.avro.SessionConfig;
import dev.streamscribe.avro.StartPolicy;
import dev.streamscribe.avro.TranscriptionSettings;
import dev.streamscribe.ingest.TurnPolicy;

import java.util.Objects;
import java.util.Optional;

/**
 * What one session to publish is: its id, its run, what it asks the provider and how its audio is laid out.
 *
 * @param sessionId  names the session: the key of its records. For a file, a hash of its content (what
 *                   {@code ingest} uses); for audio still arriving, anything unique to that audio (a call id). The
 *                   same id with other audio is another session's chunks under this one's name: the pipeline keeps
 *                   the first and dead-letters the rest (CONFLICTING_DUPLICATE)
 * @param runToken   names the run; empty = the hash of what the config asks ({@code RunTokens.of}), so publishing the
 *                   same session with the same options again is the same run, skipped once it has a result. Any
 *                   other non-blank value unique per run works
 * @param config     what the session asks the provider (model, transcription, response...) and when
 *                   ({@code start}: {@link Builder#start}); its session id, run token, audio format and creation time
 *                   are set by the publisher, and it is checked against the pipeline's dialect when the session opens
 * @param encoding   what the audio is sent as: pcm16 at 24 kHz or G.711 at 8 kHz, whatever the layout appended
 * @param turns      where turns are cut besides {@link SessionStream#endTurn()}: {@link TurnPolicy#wholeFile()} (the
 *                   default) cuts only there
 * @param chunkBytes largest chunk record, 1 to 256 KiB (default 256 KiB)
 */
public record SessionSpec(String sessionId, Optional<String> runToken, SessionConfig config, AudioEncoding encoding,
                             TurnPolicy turns, int chunkBytes) {
    /** The transcription model a session asks for when its config names none. */
    public static final String DEFAULT_TRANSCRIPTION_MODEL = "gpt-4o-transcribe";
    private static final int MAX_ID_LENGTH = 256;

    public SessionSpec {
        requireName("session id", sessionId);
        Objects.requireNonNull(runToken, "runToken");
        runToken.ifPresent(token -> requireName("run token", token));
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(encoding, "encoding");
        Objects.requireNonNull(turns, "turns");
        if (chunkBytes < 1_024 || chunkBytes > AudioEncoding.MAX_CHUNK_BYTES) {
            throw new IllegalArgumentException("chunk size must be between 1 and 256 KiB, not " + chunkBytes + " bytes");
        }
    }

    /** A spec with the defaults: transcription only, pcm16, turns only where the caller ends them, 256 KiB chunks. */
    public static Builder builder(String sessionId) {
        return new Builder(sessionId);
    }

    /**
     * A config builder to start from: transcription with {@link #DEFAULT_TRANSCRIPTION_MODEL}; its session id and run
     * token are placeholders the publisher replaces. Set model, instructions, response... and pass the result to
     * {@link Builder#config}.
     */
    public static SessionConfig.Builder configTemplate() {
        return SessionConfig.newBuilder().setSessionId("").setRunToken("")
                .setTranscription(TranscriptionSettings.newBuilder().setModel(DEFAULT_TRANSCRIPTION_MODEL).build());
    }

    private static void requireName(String what, String value) {
        Objects.requireNonNull(value, what);
        if (value.isBlank()) {
            throw new IllegalArgumentException("the " + what + " must not be blank");
        }
        if (value.length() > MAX_ID_LENGTH) {
            throw new IllegalArgumentException("the " + what + " must be at most " + MAX_ID_LENGTH + " characters, not "
                    + value.length());
        }
        // the pipeline joins ids with U+0000 in its store keys: a control character would make two ids collide
        if (value.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("the " + what + " must not contain control characters");
        }
    }

    /** Builds a {@link SessionSpec}; every setting but the session id has a default. */
    public static final class Builder {
        private final String sessionId;
        private Optional<String> runToken = Optional.empty();
        private SessionConfig config = configTemplate().build();
        private AudioEncoding encoding = AudioEncoding.PCM16;
        private TurnPolicy turns = TurnPolicy.wholeFile();
        private int chunkBytes = AudioEncoding.MAX_CHUNK_BYTES;
        private Optional<StartPolicy> start = Optional.empty();
        private Optional<String> provider = Optional.empty();

        private Builder(String sessionId) {
            this.sessionId = sessionId;
        }

        public Builder runToken(String value) {
            this.runToken = Optional.of(value);
            return this;
        }

        public Builder config(SessionConfig value) {
            this.config = value;
            return this;
        }

        public Builder encoding(AudioEncoding value) {
            this.encoding = value;
            return this;
        }

        public Builder turns(TurnPolicy value) {
            this.turns = value;
            return this;
        }

        public Builder chunkBytes(int value) {
            this.chunkBytes = value;
            return this;
        }

        /**
         * When the pipeline sends the session to the provider (sets the config's {@code start}): AT_END (the default)
         * once all its audio is in; AT_FIRST_TURN turn by turn as each turn ends, for audio still arriving. A live
         * session's config is published when it opens and each turn's last chunk when the turn ends.
         */
        public Builder start(StartPolicy value) {
            this.start = Optional.of(value);
            return this;
        }

        /**
         * The provider that must serve the session (sets the config's {@code provider}): a name of the pipeline's
         * provider pool. Without it the pipeline picks the highest-priority provider that can take the session and
         * fails it over to another when that one is out.
         */
        public Builder provider(String name) {
            this.provider = Optional.of(name);
            return this;
        }

        public SessionSpec build() {
            SessionConfig withStart = start.map(policy -> SessionConfig.newBuilder(config).setStart(policy).build())
                    .orElse(config);
            if (provider.isPresent()) {
                withStart = SessionConfig.newBuilder(withStart).setProvider(provider.get()).build();
            }
            return new SessionSpec(sessionId, runToken, withStart, encoding, turns, chunkBytes);
        }
    }
}
