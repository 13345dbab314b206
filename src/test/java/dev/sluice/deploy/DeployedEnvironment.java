package dev.sluice.deploy;

import dev.sluice.config.SluiceSettings;
import dev.sluice.config.SluiceSettingsTest;
import dev.sluice.config.SluiceVariables;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The environment a deployment manifest gives Sluice, held against Sluice's real configuration. */
final class DeployedEnvironment {

    /** Variables whose values are secrets: they may only come from a secret store. */
    static final Pattern SECRET_NAME = Pattern.compile(".*(API_KEY|PASSWORD|PROXY|ADMIN_TOKEN).*");

    private DeployedEnvironment() {
    }

    /** Each SLUICE_* name is a setting of SluiceConfig; anything else is a documented Quarkus setting. */
    static void assertEveryVariableIsARealSetting(Collection<String> names) {
        String reference;
        try {
            reference = Files.readString(Path.of("docs/configuration.md"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        assertThat(names).isNotEmpty().allSatisfy(name -> {
            if (name.startsWith("SLUICE_")) {
                assertThat(SluiceVariables.mapped().isSetting(name)).as(name).isTrue();
            } else {
                assertThat(name).as("a Quarkus setting").startsWith("QUARKUS_");
                assertThat(reference).as(name + " is documented in docs/configuration.md").contains("`" + name + "`");
            }
        });
    }

    /** The real config mapping and start-up checks, fed this environment; secrets stand in for theirs. */
    static SluiceSettings settings(Map<String, String> environment, Collection<String> secretNames) {
        Map<String, String> variables = new HashMap<>(environment);
        // as long as a real one may have to be (the admin token: 32 characters at least)
        secretNames.forEach(name -> variables.put(name, "from-a-secret-".repeat(3)));
        return SluiceSettingsTest.fromEnvironment(variables);
    }

    /** The longest a request can wait for its first byte: the hold, every retry, one last attempt. */
    static Duration longestFirstByte(SluiceSettings settings) {
        return settings.maxWait().plus(settings.resilience().retry().maxTotal())
                .plus(settings.connections().connectTimeout()).plus(settings.connections().replyTimeout());
    }
}
