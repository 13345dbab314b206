package dev.sluice.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The YAML manifests under deploy/, read as JSON trees (one per {@code ---} document). */
final class Manifests {

    static final Path DEPLOY = Path.of("deploy");

    private static final YAMLFactory YAML = new YAMLFactory();
    private static final ObjectMapper MAPPER = JsonMapper.builder().build();

    private Manifests() {
    }

    /** Every {@code .yaml}/{@code .yml} file under deploy/, sorted. */
    static List<Path> files() {
        try (Stream<Path> paths = Files.walk(DEPLOY)) {
            return paths.filter(Files::isRegularFile)
                    .filter(path -> path.toString().endsWith(".yaml") || path.toString().endsWith(".yml"))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The documents of one file; an empty document (a trailing {@code ---}) is skipped. */
    static List<JsonNode> documents(Path file) {
        List<JsonNode> documents = new ArrayList<>();
        try (var parser = YAML.createParser(file.toFile())) {
            var iterator = MAPPER.readValues(parser, JsonNode.class);
            while (iterator.hasNext()) {
                JsonNode document = iterator.next();
                if (document != null && !document.isMissingNode() && !document.isNull()) {
                    documents.add(document);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(file + " is not valid YAML", e);
        }
        return documents;
    }

    /** The one document of a file that holds exactly one. */
    static JsonNode only(String file) {
        List<JsonNode> documents = documents(Path.of(file));
        if (documents.size() != 1) {
            throw new IllegalStateException(file + ": expected one document, found " + documents.size());
        }
        return documents.get(0);
    }
}
