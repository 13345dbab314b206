package dev.sluice.config;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** docs/configuration.md and the env example list every setting of {@link SluiceConfig}, by its variable. */
public class ConfigurationDocsTest {

    /** Every setting's environment variable; a named upstream's as {@code SLUICE_UPSTREAMS_<NAME>_URL}. */
    public static List<String> variables() {
        List<String> variables = new ArrayList<>();
        collect(SluiceConfig.class, "SLUICE", variables);
        return variables;
    }

    private static void collect(Class<?> type, String prefix, List<String> variables) {
        for (Method method : type.getMethods()) { // inherited ones too (Endpoint)
            if (method.isDefault() || method.isSynthetic() || method.getParameterCount() > 0) {
                continue;
            }
            String name = prefix + "_" + method.getName().replaceAll("([a-z0-9])([A-Z])", "$1_$2").toUpperCase();
            Class<?> returned = method.getReturnType();
            if (returned == Map.class) {
                ParameterizedType map = (ParameterizedType) method.getGenericReturnType();
                collect((Class<?>) map.getActualTypeArguments()[1], name + "_<NAME>", variables);
            } else if (returned.isInterface() && returned.getEnclosingClass() == SluiceConfig.class) {
                collect(returned, name, variables);
            } else {
                variables.add(name);
            }
        }
    }

    @Test
    void theConfigurationReferenceListsEverySetting() throws IOException {
        String reference = Files.readString(Path.of("docs/configuration.md"));

        assertThat(variables()).hasSizeGreaterThan(40)
                .allSatisfy(variable -> assertThat(reference).as(variable).contains("`" + variable + "`"));
    }

    @Test
    void theEnvironmentExampleListsEverySetting() throws IOException {
        String example = Files.readString(Path.of("deploy/local/sluice.env.example"));

        assertThat(variables()).allSatisfy(variable -> assertThat(example).as(variable)
                .contains(variable.replace("<NAME>", "PRIMARY") + "="));
    }
}
