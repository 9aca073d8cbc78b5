package dev.streamscribe.docs;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** A clone of the project has nothing beside it: README, docs and code refer only to documents inside it. */
class DocumentReferencesTest {
    private static final Path ROOT = Path.of(System.getProperty("streamscribe.project.dir", "."));
    private static final Pattern OUTSIDE = Pattern.compile("\\.\\./shared|(?<![\\w/])(DESIGN|PROTOCOL)\\.md");
    private static final Pattern DOCS_FILE = Pattern.compile("(?<![\\w/.])docs/([\\w./-]+\\.(?:md|json|yaml))");

    @Test
    void nothingRefersToDocumentsOutsideTheRepository() {
        List<String> found = new ArrayList<>();
        forEachText((file, line, text) -> {
            if (OUTSIDE.matcher(text).find()) {
                found.add(ROOT.relativize(file) + ":" + line + ": " + text.strip());
            }
        });
        assertTrue(found.isEmpty(), "references to documents a clone does not have:\n" + String.join("\n", found));
    }

    @Test
    void everyDocsFileThatIsReferencedExists() {
        List<String> missing = new ArrayList<>();
        forEachText((file, line, text) -> {
            Matcher m = DOCS_FILE.matcher(text);
            while (m.find()) {
                if (!Files.isRegularFile(ROOT.resolve("docs").resolve(m.group(1)))) {
                    missing.add(ROOT.relativize(file) + ":" + line + ": docs/" + m.group(1));
                }
            }
        });
        assertTrue(missing.isEmpty(), "references to docs files that do not exist:\n" + String.join("\n", missing));
    }

    private interface LineVisitor {
        void visit(Path file, int line, String text);
    }

    private static void forEachText(LineVisitor visitor) {
        List<Path> files = new ArrayList<>(List.of(ROOT.resolve("README.md")));
        for (String tree : List.of("src", "docs", "bin", "docker", "topologies")) {
            try (Stream<Path> walk = Files.walk(ROOT.resolve(tree))) {
                walk.filter(Files::isRegularFile)
                        .filter(p -> p.toString().endsWith(".java") || p.toString().endsWith(".md")
                                || p.toString().endsWith(".properties") || p.getParent().endsWith("bin"))
                        .forEach(files::add);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        for (Path file : files) {
            try {
                List<String> lines = Files.readAllLines(file);
                for (int i = 0; i < lines.size(); i++) {
                    visitor.visit(file, i + 1, lines.get(i));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(file.toString(), e);
            }
        }
    }
}
