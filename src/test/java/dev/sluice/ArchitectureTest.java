package dev.sluice;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Holds the dependency rule of docs/architecture.md: {@code limit} is plain Java, its stores
 * depend only on it, and nothing depends on {@code api}.
 */
class ArchitectureTest {

    private static final Path MAIN = Path.of("src/main/java/dev/sluice");

    private static List<String> importsUnder(String packagePath) throws IOException {
        return imports(packagePath, Integer.MAX_VALUE);
    }

    /** The imports of the files directly in a package, not in its sub-packages. */
    private static List<String> importsIn(String packagePath) throws IOException {
        return imports(packagePath, 1);
    }

    private static List<String> imports(String packagePath, int depth) throws IOException {
        try (Stream<Path> files = Files.walk(MAIN.resolve(packagePath), depth)) {
            return files.filter(file -> file.toString().endsWith(".java"))
                    .flatMap(file -> {
                        try {
                            return Files.readAllLines(file).stream()
                                    .filter(line -> line.startsWith("import "))
                                    .map(line -> file.getFileName() + ": " + line);
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    })
                    .toList();
        }
    }

    @Test
    void theLimiterImportsOnlyTheJdkAndItself() throws IOException {
        // the Infinispan server task compiles these very files with nothing but the JDK
        assertThat(importsIn("limit"))
                .isNotEmpty()
                .allMatch(line -> line.matches(".*import (static )?(java\\.|dev\\.sluice\\.limit\\.).*"), "JDK or dev.sluice.limit only");
        assertThat(importsUnder("limit/memory"))
                .allMatch(line -> line.matches(".*import (static )?(java\\.|dev\\.sluice\\.limit\\.).*"), "JDK or dev.sluice.limit only");
    }

    @Test
    void storesKnowTheirStorageButNotTheFramework() throws IOException {
        assertThat(importsUnder("limit/infinispan"))
                .isNotEmpty()
                .allMatch(line -> line.matches(".*import (static )?(java\\.|dev\\.sluice\\.limit\\.|org\\.infinispan\\.).*"),
                        "JDK, dev.sluice.limit or Infinispan only");
    }

    @Test
    void usageReadingIsPlainJavaOnJacksonVertxBuffersAndMutiny() throws IOException {
        // no CDI or Quarkus: the pieces are wired in by api, and tested without a container
        assertThat(importsUnder("usage"))
                .isNotEmpty()
                .allMatch(line -> line.matches(".*import (static )?(java\\.|com\\.fasterxml\\.jackson\\.|"
                        + "io\\.vertx\\.core\\.buffer\\.|io\\.smallrye\\.mutiny\\.|dev\\.sluice\\.usage\\.).*"),
                        "JDK, Jackson, Vert.x Buffer, Mutiny or dev.sluice.usage only");
    }

    @Test
    void theTokenEstimatorKnowsJsonAndItsTokenizerButNotTheFramework() throws IOException {
        assertThat(importsUnder("tokens"))
                .isNotEmpty()
                .allMatch(line -> line.matches(".*import (static )?(java\\.|com\\.fasterxml\\.jackson\\.databind\\."
                                + "|com\\.knuddels\\.jtokkit\\.|dev\\.sluice\\.upstream\\.Operation;).*"),
                        "JDK, Jackson's tree, jtokkit or dev.sluice.upstream.Operation only");
    }

    @Test
    void onlyTheApiLayerKnowsAboutTheApiLayer() throws IOException {
        for (String layer : List.of("limit", "upstream", "config", "usage", "tokens", "net")) {
            assertThat(importsUnder(layer)).noneMatch(line -> line.contains("dev.sluice.api."));
        }
        assertThat(importsUnder("upstream")).noneMatch(line -> line.contains("dev.sluice.limit."));
    }
}
