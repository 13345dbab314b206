package dev.sluice.config;

import io.quarkus.runtime.configuration.ConfigurationException;

import java.util.List;

/**
 * A configuration Sluice refuses to start with: every problem found, each a line that names its
 * environment variable. The message lists them all, as the operator sees it.
 */
public final class InvalidConfigurationException extends ConfigurationException {

    private final List<String> problems;

    /** @param problems at least one, each naming its variable */
    public InvalidConfigurationException(List<String> problems) {
        super("Invalid Sluice configuration:\n  - " + String.join("\n  - ", problems));
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("a configuration without problems is not invalid");
        }
        this.problems = List.copyOf(problems);
    }

    /** Each problem, as listed in the message. */
    public List<String> problems() {
        return problems;
    }
}
