package dev.sluice;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Holds the dependency rule of docs/architecture.md for every package: which of Sluice's packages
 * each may use (by import or by a qualified name in code), which libraries the framework-free ones
 * may use, and that no two packages depend on each other, however indirectly.
 */
class ArchitectureTest {

    private static final Path MAIN = Path.of("src/main/java/dev/sluice");

    /**
     * Every package and the Sluice packages it may use; a package missing here fails the test, so a
     * new one must say where it stands. {@code limit}'s classes that a package may use alone are
     * named with the package ({@code limit.TimeSource}).
     */
    private static final Map<String, Set<String>> ALLOWED = Map.ofEntries(
            Map.entry("limit", Set.of()),
            Map.entry("limit.memory", Set.of("limit")),
            Map.entry("limit.infinispan", Set.of("limit")),
            Map.entry("net", Set.of()),
            Map.entry("usage", Set.of()),
            Map.entry("openai", Set.of()),
            // what a request may not say: deny rules, bounded, and the text they read
            Map.entry("content", Set.of()),
            Map.entry("tokens", Set.of("openai")),
            Map.entry("config", Set.of("content", "limit", "limit.memory", "limit.infinispan", "net", "openai", "usage")),
            // the upstreams keep time by the limiter's clock, and know nothing else of it
            Map.entry("upstream", Set.of("config", "usage", "openai", "limit.TimeSource")),
            // the request path's rules, planned and decided without HTTP or CDI
            Map.entry("admission", Set.of("config", "keys", "limit", "tokens", "upstream", "usage")),
            // caller keys: their records, this instance's copy, their stores
            Map.entry("keys", Set.of("config", "limit")),
            Map.entry("keys.infinispan", Set.of("keys")),
            // who created which object through Sluice, by its id
            Map.entry("owners", Set.of("limit.TimeSource")),
            Map.entry("owners.infinispan", Set.of("owners")),
            // replies kept for identical requests
            Map.entry("replies", Set.of("limit.TimeSource")),
            Map.entry("replies.infinispan", Set.of("replies")),
            Map.entry("metrics", Set.of("admission", "config", "limit", "openai", "upstream")),
            Map.entry("ledger", Set.of()),
            Map.entry("api", Set.of("admission", "config", "content", "keys", "keys.infinispan", "ledger", "limit", "metrics", "net", "openai",
                    "owners", "owners.infinispan", "replies", "replies.infinispan", "tokens", "upstream", "usage")));

    /** Libraries beyond the JDK that the framework-free packages may use: they are tested without a container. */
    private static final Map<String, String> LIBRARIES = Map.ofEntries(
            // the Infinispan server task compiles these very files with nothing but the JDK
            Map.entry("limit", ""),
            Map.entry("limit.memory", ""),
            Map.entry("limit.infinispan", "org\\.infinispan\\."),
            Map.entry("net", ""),
            Map.entry("ledger", ""),
            Map.entry("openai", ""),
            Map.entry("content", "com\\.fasterxml\\.jackson\\.databind\\."),
            Map.entry("usage", "com\\.fasterxml\\.jackson\\.|io\\.vertx\\.core\\.buffer\\.|io\\.smallrye\\.mutiny\\."),
            Map.entry("admission", "io\\.smallrye\\.mutiny\\."),
            Map.entry("keys", "com\\.fasterxml\\.jackson\\.databind\\."),
            Map.entry("keys.infinispan", "org\\.infinispan\\."),
            Map.entry("owners", ""),
            Map.entry("owners.infinispan", "org\\.infinispan\\."),
            Map.entry("replies", ""),
            Map.entry("replies.infinispan", "org\\.infinispan\\."),
            Map.entry("tokens", "com\\.fasterxml\\.jackson\\.databind\\.|com\\.knuddels\\.jtokkit\\."));

    private static final Pattern SLUICE_NAME = Pattern.compile("\\bdev\\.sluice\\.([a-z]+(?:\\.[a-z]+)*)\\.([A-Z]\\w*)");
    private static final Pattern IMPORT = Pattern.compile("^import (?:static )?([\\w.]+)");

    /** A source file's package below dev.sluice, e.g. {@code limit.memory}. */
    private static String packageOf(Path file) {
        return MAIN.relativize(file.getParent()).toString().replace('/', '.');
    }

    private static List<Path> sources() throws IOException {
        try (Stream<Path> files = Files.walk(MAIN)) {
            return files.filter(file -> file.toString().endsWith(".java")).sorted().toList();
        }
    }

    /** The lines that are code: imports and statements, not comments. */
    private static List<String> codeLines(Path file) {
        try {
            return Files.readAllLines(file).stream()
                    .map(String::strip)
                    .filter(line -> !line.startsWith("*") && !line.startsWith("/*") && !line.startsWith("//"))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Each package's uses of other Sluice packages, as {@code package} or {@code package.Class}. */
    private static Map<String, Set<String>> uses() throws IOException {
        Map<String, Set<String>> uses = new TreeMap<>();
        for (Path file : sources()) {
            String from = packageOf(file);
            Set<String> used = uses.computeIfAbsent(from, ignored -> new TreeSet<>());
            for (String line : codeLines(file)) {
                Matcher name = SLUICE_NAME.matcher(line);
                while (name.find()) {
                    if (!name.group(1).equals(from)) {
                        used.add(name.group(1) + "." + name.group(2));
                    }
                }
            }
        }
        return uses;
    }

    private static boolean allowed(Set<String> allowed, String used) {
        String pkg = used.substring(0, used.lastIndexOf('.'));
        return allowed.contains(pkg) || allowed.contains(used);
    }

    @Test
    void everyPackageUsesOnlyThePackagesItMay() throws IOException {
        List<String> violations = new ArrayList<>();
        uses().forEach((from, used) -> {
            Set<String> allowed = ALLOWED.get(from);
            if (allowed == null) {
                violations.add(from + ": a package the dependency rule does not know; add it to ALLOWED");
                return;
            }
            used.stream().filter(use -> !allowed(allowed, use)).forEach(use -> violations.add(from + " uses " + use));
        });
        assertThat(violations).isEmpty();
    }

    @Test
    void noTwoPackagesDependOnEachOther() throws IOException {
        Map<String, Set<String>> graph = new TreeMap<>();
        uses().forEach((from, used) -> graph.put(from,
                new TreeSet<>(used.stream().map(use -> use.substring(0, use.lastIndexOf('.'))).toList())));
        List<String> cycles = new ArrayList<>();
        for (String start : graph.keySet()) {
            reachableFrom(start, graph, new TreeSet<>()).stream()
                    .filter(other -> !other.equals(start) && reachableFrom(other, graph, new TreeSet<>()).contains(start))
                    .forEach(other -> cycles.add(start + " <-> " + other));
        }
        assertThat(cycles).isEmpty();
    }

    private static Set<String> reachableFrom(String pkg, Map<String, Set<String>> graph, Set<String> seen) {
        for (String next : graph.getOrDefault(pkg, Set.of())) {
            if (seen.add(next)) {
                reachableFrom(next, graph, seen);
            }
        }
        return seen;
    }

    @Test
    void theFrameworkFreePackagesUseOnlyTheJdkAndTheirLibraries() throws IOException {
        List<String> violations = new ArrayList<>();
        for (Path file : sources()) {
            String pkg = packageOf(file);
            String libraries = LIBRARIES.get(pkg);
            if (libraries == null) {
                continue;
            }
            Pattern permitted = Pattern.compile("(java\\.|dev\\.sluice\\." + (libraries.isEmpty() ? "" : "|" + libraries) + ").*");
            for (String line : codeLines(file)) {
                Matcher imported = IMPORT.matcher(line);
                if (imported.find() && !permitted.matcher(imported.group(1)).matches()) {
                    violations.add(pkg + "/" + file.getFileName() + ": " + line);
                }
            }
        }
        assertThat(violations).isEmpty();
    }

    @Test
    void theRuleKnowsTheCodeAsItIs() throws IOException {
        // a rule for a package that no longer exists would hide a renamed one
        assertThat(uses().keySet()).containsExactlyInAnyOrderElementsOf(ALLOWED.keySet());
    }
}
