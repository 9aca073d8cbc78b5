package dev.streamscribe.results;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.streamscribe.avro.Cost;
import dev.streamscribe.avro.ResponseEvent;
import dev.streamscribe.avro.TranscriptionEvent;
import dev.streamscribe.avro.TurnStatus;

import java.util.List;
import java.util.Locale;

/**
 * The export formats of a session's transcript. txt: one paragraph per turn. jsonl: one JSON object per turn with
 * its times, status, provider, cost and responses (each with its cost). srt and vtt: one subtitle cue per transcribed turn, timed by the turn's start
 * and end in the session's audio.
 */
public enum TranscriptFormat {
    TXT("txt"), JSONL("jsonl"), SRT("srt"), VTT("vtt");

    private static final ObjectMapper JSON = new ObjectMapper();
    private final String extension;

    TranscriptFormat(String extension) {
        this.extension = extension;
    }

    public String extension() {
        return extension;
    }

    /** Parses a name as given on the command line (any case). */
    public static TranscriptFormat parse(String name) {
        for (TranscriptFormat format : values()) {
            if (format.extension.equalsIgnoreCase(name.strip())) {
                return format;
            }
        }
        throw new IllegalArgumentException("unknown format '" + name + "'; allowed: txt, jsonl, srt, vtt");
    }

    public String render(SessionTranscript session) {
        return switch (this) {
            case TXT -> txt(session);
            case JSONL -> jsonl(session);
            case SRT -> cues(session, false);
            case VTT -> cues(session, true);
        };
    }

    private static String txt(SessionTranscript session) {
        StringBuilder out = new StringBuilder();
        for (TranscriptionEvent turn : session.turns()) {
            String text = turn.getTranscript().strip();
            if (!text.isEmpty()) {
                out.append(text).append("\n\n");
            }
        }
        return out.isEmpty() ? "" : out.substring(0, out.length() - 1);
    }

    private static String jsonl(SessionTranscript session) {
        StringBuilder out = new StringBuilder();
        for (TranscriptionEvent turn : session.turns()) {
            ObjectNode line = JSON.createObjectNode();
            line.put("sessionId", turn.getSessionId());
            line.put("runToken", turn.getRunToken());
            line.put("attempt", turn.getAttempt());
            session.source().ifPresent(source -> line.put("source", source));
            line.put("sessionStatus", session.result().getStatus().name());
            line.put("turn", turn.getTurnIndex());
            line.put("startMs", turn.getTurnStartMs());
            line.put("endMs", turn.getTurnEndMs());
            line.put("status", turn.getStatus().name());
            if (turn.getReason() != null) {
                line.put("reason", turn.getReason());
            }
            line.put("transcript", turn.getTranscript());
            if (turn.getLanguage() != null) {
                line.put("language", turn.getLanguage());
            }
            if (!turn.getProvider().isEmpty()) {
                line.put("provider", turn.getProvider());
            }
            if (turn.getTranscriptionModel() != null) {
                line.put("model", turn.getTranscriptionModel());
            }
            putCost(line, turn.getCost());
            List<ResponseEvent> responses = session.responsesTo(turn.getTurnIndex());
            if (!responses.isEmpty()) {
                ArrayNode array = line.putArray("responses");
                for (ResponseEvent response : responses) {
                    ObjectNode node = array.addObject();
                    node.put("status", response.getStatus().name());
                    node.put("text", response.getText());
                    if (!response.getAudioTranscript().isEmpty()) {
                        node.put("audioTranscript", response.getAudioTranscript());
                    }
                    putCost(node, response.getCost());
                }
            }
            try {
                out.append(JSON.writeValueAsString(line)).append('\n');
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("cannot write a JSON line", e);
            }
        }
        return out.toString();
    }

    /** {@code "cost": {"amount", "currency", "estimated"}}, or {@code "cost": null} when unknown (never 0). */
    private static void putCost(ObjectNode node, Cost cost) {
        if (cost == null) {
            node.putNull("cost");
            return;
        }
        ObjectNode field = node.putObject("cost");
        field.put("amount", cost.getAmount());
        field.put("currency", cost.getCurrency());
        field.put("estimated", cost.getEstimated());
    }

    private static String cues(SessionTranscript session, boolean vtt) {
        StringBuilder out = new StringBuilder(vtt ? "WEBVTT\n\n" : "");
        int cue = 0;
        for (TranscriptionEvent turn : session.turns()) {
            String text = turn.getTranscript().strip();
            if (turn.getStatus() != TurnStatus.COMPLETED || text.isEmpty()) {
                continue;
            }
            cue++;
            if (!vtt) {
                out.append(cue).append('\n');
            }
            out.append(timestamp(turn.getTurnStartMs(), vtt)).append(" --> ").append(timestamp(turn.getTurnEndMs(), vtt))
                    .append('\n').append(vtt ? escapeVtt(text) : text.replace("-->", "->")).append("\n\n");
        }
        return out.toString();
    }

    static String timestamp(long ms, boolean vtt) {
        return String.format(Locale.ROOT, "%02d:%02d:%02d%c%03d", ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60,
                vtt ? '.' : ',', ms % 1000);
    }

    private static String escapeVtt(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
