package dev.sluice.deploy;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The files meant to hold keys are ones git never sees; their examples stay tracked. */
class SecretFilesTest {

    @Test
    void theLocalEnvironmentFileIsIgnoredAndItsExampleIsNot() throws Exception {
        if ((Files.isDirectory(Path.of(".git")) || Files.isRegularFile(Path.of(".git"))) && gitRuns()) {
            assertThat(ignored("deploy/local/sluice.env")).as("deploy/local/sluice.env ignored").isTrue();
            assertThat(ignored("deploy/local/prod.env")).as("any .env ignored").isTrue();
            assertThat(ignored("deploy/local/sluice.env.example")).as("the example tracked").isFalse();
        } else { // not a git checkout (a source archive): the rule itself
            assertThat(Files.readAllLines(Path.of(".gitignore"))).contains("deploy/local/sluice.env");
        }
    }

    /** Whether git can be run here (a checkout may come without it). */
    private static boolean gitRuns() {
        try {
            Process version = new ProcessBuilder(List.of("git", "--version")).redirectErrorStream(true).start();
            version.getInputStream().readAllBytes();
            return version.waitFor() == 0;
        } catch (java.io.IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static boolean ignored(String path) throws Exception {
        Process check = new ProcessBuilder(List.of("git", "check-ignore", "-q", path)).redirectErrorStream(true).start();
        check.getInputStream().readAllBytes();
        return check.waitFor() == 0;
    }
}
