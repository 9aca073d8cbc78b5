package dev.streamscribe.config;

import java.util.Collection;
import java.util.Comparator;

/** "Did you mean ...?" for a misspelt configuration key: the known key within three edits, if any. */
final class KeySuggestions {
    private KeySuggestions() {
    }

    /** {@code " (did you mean 'k'?)"} for the closest of {@code known}, or "" when none is close. */
    static String closest(String key, Collection<String> known) {
        return known.stream()
                .min(Comparator.comparingInt(candidate -> distance(candidate, key)))
                .filter(best -> distance(best, key) <= 3)
                .map(best -> " (did you mean '" + best + "'?)")
                .orElse("");
    }

    /** Levenshtein distance. */
    static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
