package dev.streamscribe.results;

import java.util.List;
import java.util.Locale;

/**
 * Word error rate of a transcript against a reference: word-level edit distance (substitutions, insertions,
 * deletions) over the reference's word count, after lower-casing and dropping punctuation. How {@code demo} and the
 * pocketsphinx test judge recognition.
 */
public final class WordErrorRate {
    private WordErrorRate() {
    }

    /** Lower-case words, punctuation other than apostrophes removed. */
    public static List<String> words(String text) {
        String normalized = text.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9' ]", " ").trim();
        return normalized.isEmpty() ? List.of() : List.of(normalized.split("\\s+"));
    }

    /** Word-level edit distance. */
    public static int wordErrors(List<String> reference, List<String> hypothesis) {
        int[] previous = new int[hypothesis.size() + 1];
        for (int j = 0; j <= hypothesis.size(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= reference.size(); i++) {
            int[] current = new int[hypothesis.size() + 1];
            current[0] = i;
            for (int j = 1; j <= hypothesis.size(); j++) {
                int cost = reference.get(i - 1).equals(hypothesis.get(j - 1)) ? 0 : 1;
                current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            previous = current;
        }
        return previous[hypothesis.size()];
    }
}
