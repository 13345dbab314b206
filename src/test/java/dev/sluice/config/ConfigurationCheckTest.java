package dev.sluice.config;

import io.quarkus.runtime.configuration.ConfigurationException;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static dev.sluice.config.SluiceSettingsTest.fromEnvironment;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * One start reports every configuration mistake, each with its variable: names that are no setting, values
 * of the wrong type, values out of range. Fed through SmallRye as Quarkus feeds it (discovered sources,
 * then the mapping), so these are the checks a start runs.
 */
class ConfigurationCheckTest {

    @Test
    void aMisspeltVariableIsRefusedNamingTheSettingItWasMeantToBe() {
        assertThatThrownBy(() -> fromEnvironment(Map.of("SLUICE_CALLER_RAT", "1/s")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("SLUICE_CALLER_RAT: not a Sluice setting; did you mean SLUICE_CALLER_RATE?");
        assertThatThrownBy(() -> fromEnvironment(Map.of("SLUICE_PLANS_TEAM_RAT", "1/s", "SLUICE_KEYS_OPS_SHA265", "a".repeat(64),
                "SLUICE_MAXWAIT", "1s", "SLUICE_NOTHING_LIKE_IT", "1")))
                .hasMessageContaining("SLUICE_PLANS_TEAM_RAT: not a Sluice setting; did you mean SLUICE_PLANS_TEAM_RATE?")
                .hasMessageContaining("SLUICE_KEYS_OPS_SHA265: not a Sluice setting; did you mean SLUICE_KEYS_OPS_SHA256?")
                .hasMessageContaining("SLUICE_MAXWAIT: not a Sluice setting; did you mean SLUICE_MAX_WAIT?")
                .hasMessageContaining("SLUICE_NOTHING_LIKE_IT: not a Sluice setting (docs/configuration.md lists them)");
    }

    @Test
    void typeErrorsRangeErrorsAndUnknownNamesAreReportedInOneStartEachWithItsVariable() {
        assertThatThrownBy(() -> fromEnvironment(Map.of(
                "SLUICE_CALLER_BURST", "abc",
                "SLUICE_MAX_WAIT", "soon",
                "SLUICE_RETRY_MAX_ATTEMPTS", "99",
                "SLUICE_CALLER_RAT", "1/s")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("SLUICE_CALLER_RAT: not a Sluice setting; did you mean SLUICE_CALLER_RATE?")
                .hasMessageContaining("SLUICE_CALLER_BURST (sluice.caller.burst): 'abc' is not a whole number")
                .hasMessageContaining("SLUICE_MAX_WAIT (sluice.max-wait): 'soon' is not a duration")
                .hasMessageContaining("SLUICE_RETRY_MAX_ATTEMPTS (sluice.retry.max-attempts): must be between 1 and 10, got 99")
                .hasMessageNotContaining("SRCFG");
    }

    @Test
    void everyProblemIsOneLineAndNothingIsSaidOfWhatDependsOnAMistypedValue() {
        // the rpm cannot be read, so its default (none) stands in: "a burst needs a rate" would mislead
        assertThatThrownBy(() -> fromEnvironment(Map.of("SLUICE_UPSTREAM_RPM", "lots", "SLUICE_UPSTREAM_BURST", "5",
                "SLUICE_STORE", "redis", "SLUICE_ACCEPT_ANY_KEY", "ture", "SLUICE_MAX_BODY", "big")))
                .isInstanceOfSatisfying(InvalidConfigurationException.class, e -> assertThat(e.problems()).containsExactly(
                        "SLUICE_ACCEPT_ANY_KEY (sluice.accept-any-key): 'ture' is not true or false",
                        "SLUICE_MAX_BODY (sluice.max-body): 'big' is not a size (bytes, or e.g. 512K, 4M, 1G)",
                        "SLUICE_STORE (sluice.store): 'redis' is not one of memory, infinispan",
                        "SLUICE_UPSTREAM_RPM (sluice.upstream.rpm): 'lots' is not a whole number"));
    }

    @Test
    void aNameInAVariableIsLettersAndDigitsAndARetiredSettingSaysWhatReplacedIt() {
        assertThatThrownBy(() -> fromEnvironment(Map.of("SLUICE_PLANS_TEAM_A_RATE", "1/s",
                "SLUICE_UPSTREAMS_A_URL", "http://127.0.0.1:9/v1", "SLUICE_UPSTREAMS_A_CALLERS", "3f9a1c2b4d5e")))
                .hasMessageContaining("SLUICE_PLANS_TEAM_A_RATE: not understood; <NAME> in SLUICE_PLANS_<NAME>_RATE is letters and digits")
                .hasMessageContaining("SLUICE_UPSTREAMS_A_CALLERS: callers are no longer pinned to upstreams by token hash");
    }

    @Test
    void propertiesAreCheckedTooAndTheProjectsOwnToolVariablesAreLetThrough() {
        assertThatThrownBy(() -> new SmallRyeConfigBuilder().addDiscoveredSources().withMapping(SluiceConfig.class)
                .withSources(new PropertiesConfigSource(Map.of("sluice.caller.rat", "1/s", "sluice.caller.max.concurrent", "2"),
                        "application.properties", 250))
                .build())
                .hasMessageContaining("sluice.caller.rat: not a Sluice setting; did you mean sluice.caller.rate?")
                .hasMessageContaining("sluice.caller.max.concurrent: not a Sluice setting; did you mean sluice.caller.max-concurrent?");
        assertThatThrownBy(() -> new SmallRyeConfigBuilder().addDiscoveredSources().withMapping(SluiceConfig.class).withProfile("prod")
                .withSources(new PropertiesConfigSource(Map.of("%prod.sluice.caller.burst", "abc", "%dev.sluice.max-wait", "soon"),
                        "application.properties", 250))
                .build())
                .as("the active profile's values, and only those")
                .hasMessageContaining("SLUICE_CALLER_BURST (sluice.caller.burst): 'abc' is not a whole number")
                .hasMessageNotContaining("max-wait");
        assertThat(fromEnvironment(Map.of("SLUICE_JAR", "/tmp/old/quarkus-run.jar", "SLUICE_CLUSTER_TEST", "1",
                "SLUICE_UPSTREAMS_PRIMARY_URL", "http://127.0.0.1:9/v1")).upstreams()).hasSize(1);
    }

    @Test
    void theKnownNamesAreTheMappingsOwn() {
        assertThat(SluiceVariables.mapped().settingVariables()).as("from SmallRye's metadata of SluiceConfig")
                .contains("SLUICE_CALLER_RATE", "SLUICE_CLIENT_IP_TRUSTED_PROXIES", "SLUICE_PLANS_<NAME>_MAX_CONCURRENT",
                        "SLUICE_KEYS_<NAME>_SHA256", "SLUICE_UPSTREAMS_<NAME>_TOKEN_ACCOUNTING", "SLUICE_UPSTREAM_CONNECT_TIMEOUT")
                .doesNotContain("SLUICE_CALLER_MODELS[*]");
        assertThat(SluiceVariables.distance("SLUICE_CALLER_RAT", "SLUICE_CALLER_RATE")).isEqualTo(1);
        assertThat(SluiceVariables.distance("RPN", "RPM")).isEqualTo(1);
        assertThat(SluiceVariables.distance("", "abc")).isEqualTo(3);
    }

    /** A SLUICE_ name as written in prose and scripts: {@code <NAME>}-style placeholders included. */
    private static final Pattern MENTION = Pattern.compile("(?<![A-Za-z0-9_])SLUICE_[A-Z0-9_]*(?:<[A-Za-z]+>[A-Z0-9_]*)*");

    @Test
    void everyVariableTheProjectsDocsManifestsAndScriptsNameIsOneSluiceStartsWith() throws IOException {
        Set<String> mentions = new TreeSet<>();
        try (Stream<Path> files = Stream.of("README.md", "docs", "deploy", "src/bench").map(Path::of).flatMap(ConfigurationCheckTest::walk)) {
            files.filter(Files::isRegularFile).forEach(file -> {
                String text = read(file);
                Matcher matcher = MENTION.matcher(text);
                while (matcher.find()) {
                    if (text.startsWith(": not a Sluice setting", matcher.end())) {
                        continue; // the refusal of a misspelt name, as an example
                    }
                    char next = matcher.end() < text.length() ? text.charAt(matcher.end()) : ' ';
                    mentions.add(matcher.group() + ("$\"*".indexOf(next) >= 0 ? "*" : "")); // continued: a prefix
                }
            });
        }
        List<Pattern> known = Stream.concat(SluiceVariables.mapped().settingVariables().stream(), SluiceVariables.TOOL_VARIABLES.keySet().stream())
                .map(variable -> Pattern.compile(Pattern.quote(variable).replace("<NAME>", "\\E[A-Z0-9]+\\Q"))).toList();

        assertThat(mentions).hasSizeGreaterThan(50).allSatisfy(mention -> {
            // SLUICE_CALLER_*, SLUICE_KEYS_K${i}_SHA256: the start of a name; <PLAN>, <i>: a name
            String name = mention.replaceAll("<SETTING>.*|\\*$", "").replaceAll("<[A-Za-z]+>", "X1");
            boolean prefix = name.length() < mention.length() || name.endsWith("_");
            assertThat(SluiceVariables.mapped().accepts(name) || SluiceVariables.mapped().isRetired(name)
                    || prefix && known.stream().anyMatch(shape -> {
                        Matcher matcher = shape.matcher(name);
                        return matcher.matches() || matcher.hitEnd();
                    })).as(mention).isTrue();
        });
    }

    private static Stream<Path> walk(Path root) {
        try {
            return Files.isDirectory(root) ? Files.walk(root) : Stream.of(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return ""; // a binary file names no variable
        }
    }
}
