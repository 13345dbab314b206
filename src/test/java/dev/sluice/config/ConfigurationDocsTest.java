package dev.sluice.config;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** docs/configuration.md and the env example list every setting of {@link SluiceConfig}, by its variable. */
public class ConfigurationDocsTest {

    /** Every setting's environment variable, from the mapping; a named upstream's as {@code SLUICE_UPSTREAMS_<NAME>_URL}. */
    public static List<String> variables() {
        return SluiceVariables.mapped().settingVariables();
    }

    @Test
    void theConfigurationReferenceListsEverySetting() throws IOException {
        String reference = Files.readString(Path.of("docs/configuration.md"));

        assertThat(variables()).hasSizeGreaterThan(40)
                .allSatisfy(variable -> assertThat(reference).as(variable).contains("`" + variable + "`"));
    }

    @Test
    void theConfigurationReferenceNamesEveryOtherVariableSluiceLetsThrough() throws IOException {
        String reference = Files.readString(Path.of("docs/configuration.md"));

        assertThat(SluiceVariables.TOOL_VARIABLES.keySet())
                .allSatisfy(variable -> assertThat(reference).as(variable).contains("`" + variable + "`"));
    }

    @Test
    void theEnvironmentExampleListsEverySetting() throws IOException {
        String example = Files.readString(Path.of("deploy/local/sluice.env.example"));

        assertThat(variables()).allSatisfy(variable -> assertThat(example).as(variable)
                .contains(variable.replace("<NAME>", "PRIMARY") + "="));
    }
}
