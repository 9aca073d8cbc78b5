package dev.streamscribe.results;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes transcripts into a folder, one file per session and format, named after the recording the session came
 * from ({@code meeting.wav} -> {@code meeting.txt}); the session id names it when the source is unknown, and is
 * appended when two sessions share a name. Files are written whole to a temporary name and then moved into place,
 * so a reader never sees half a transcript.
 *
 * <p>Threading: not thread-safe.
 */
public final class TranscriptFiles {
    private final Path dir;
    private final List<TranscriptFormat> formats;
    private final Map<String, String> nameOwners = new HashMap<>();

    public TranscriptFiles(Path dir, List<TranscriptFormat> formats) throws IOException {
        this.dir = Files.createDirectories(dir);
        this.formats = List.copyOf(formats);
    }

    /** Writes every format of {@code session}; returns the files written. */
    public List<Path> write(SessionTranscript session) throws IOException {
        String base = baseName(session);
        List<Path> written = new ArrayList<>();
        for (TranscriptFormat format : formats) {
            Path target = dir.resolve(base + "." + format.extension());
            Path temp = dir.resolve("." + base + "." + format.extension() + ".tmp");
            Files.writeString(temp, format.render(session), StandardCharsets.UTF_8);
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
            written.add(target);
        }
        return written;
    }

    private String baseName(SessionTranscript session) {
        String name = session.source().map(TranscriptFiles::stem).map(TranscriptFiles::safe).orElse(session.sessionId());
        String owner = nameOwners.putIfAbsent(name, session.sessionId());
        return owner == null || owner.equals(session.sessionId()) ? name : name + "-" + session.sessionId();
    }

    private static String stem(String fileName) {
        int dot = fileName.lastIndexOf('.');
        return dot > 0 ? fileName.substring(0, dot) : fileName;
    }

    private static String safe(String name) {
        String cleaned = name.replaceAll("[^A-Za-z0-9._-]", "_");
        return cleaned.isEmpty() || cleaned.startsWith(".") ? "_" + cleaned : cleaned;
    }
}
