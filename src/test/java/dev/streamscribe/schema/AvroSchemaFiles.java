package dev.streamscribe.schema;

import org.apache.avro.Schema;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Parses a folder of .avsc files that refer to each other by name, in whatever order they need. */
final class AvroSchemaFiles {
    private AvroSchemaFiles() {
    }

    /** Every named schema in {@code dir}, by full name. */
    static Map<String, Schema> parse(Path dir) {
        List<Path> pending;
        try (Stream<Path> files = Files.list(dir)) {
            pending = new ArrayList<>(files.filter(p -> p.toString().endsWith(".avsc")).sorted().toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, Schema> parsed = new LinkedHashMap<>();
        Schema.Parser parser = new Schema.Parser();
        // Files refer to types defined in other files: parse what resolves, retry the rest until none progresses.
        while (!pending.isEmpty()) {
            List<Path> failed = new ArrayList<>();
            RuntimeException last = null;
            for (Path file : pending) {
                Schema.Parser attempt = new Schema.Parser();
                attempt.addTypes(parser.getTypes().values());
                try {
                    Schema schema = attempt.parse(file.toFile());
                    parser.addTypes(attempt.getTypes().values());
                    parsed.put(schema.getFullName(), schema);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                } catch (RuntimeException e) {
                    failed.add(file);
                    last = e;
                }
            }
            if (failed.size() == pending.size()) {
                throw new IllegalStateException("cannot parse " + failed + ": " + last.getMessage(), last);
            }
            pending = failed;
        }
        return parsed;
    }
}
