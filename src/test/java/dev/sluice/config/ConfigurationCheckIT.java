package dev.sluice.config;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The packaged jar started with a misspelt variable, two values of the wrong type and one out of range:
 * the one start fails and says all four, each with its variable, as an operator reads it. (The unit
 * tests feed SmallRye the same way; this holds Quarkus's own discovery of {@link ConfigurationCheck} at
 * build time.) Run with {@code mvn verify -DskipITs=false -Dit.test=ConfigurationCheckIT}.
 */
class ConfigurationCheckIT {

    private static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");

    @Test
    void aBadConfigurationFailsOneStartListingEveryProblem() throws IOException, InterruptedException {
        assumeTrue(Files.exists(JAR), "the JVM build, not a native one");
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", JAR.toString()).redirectErrorStream(true);
        builder.environment().keySet().removeIf(name -> name.startsWith("SLUICE_"));
        builder.environment().putAll(Map.of("QUARKUS_HTTP_HOST", "127.0.0.1", "QUARKUS_HTTP_PORT", "0",
                "SLUICE_CALLER_RAT", "1/s", "SLUICE_CALLER_BURST", "abc", "SLUICE_MAX_WAIT", "soon",
                "SLUICE_RETRY_MAX_ATTEMPTS", "99"));
        Process sluice = builder.start();
        try {
            assertThat(sluice.waitFor(60, TimeUnit.SECONDS)).as("it stops by itself").isTrue();
            String output = new String(sluice.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

            assertThat(sluice.exitValue()).as(output).isNotZero();
            assertThat(output).contains("Invalid Sluice configuration:",
                    "SLUICE_CALLER_RAT: not a Sluice setting; did you mean SLUICE_CALLER_RATE?",
                    "SLUICE_CALLER_BURST (sluice.caller.burst): 'abc' is not a whole number",
                    "SLUICE_MAX_WAIT (sluice.max-wait): 'soon' is not a duration",
                    "SLUICE_RETRY_MAX_ATTEMPTS (sluice.retry.max-attempts): must be between 1 and 10, got 99")
                    .doesNotContain("SRCFG", "started in");
        } finally {
            sluice.destroyForcibly();
        }
    }
}
