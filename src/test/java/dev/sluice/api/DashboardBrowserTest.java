package dev.sluice.api;

import dev.sluice.keys.CallerKeys;
import dev.sluice.upstream.TestUpstream;
import dev.sluice.upstream.TestUpstreamResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The dashboard in a real headless browser (Debian's chromium and chromedriver, which .ci/run installs):
 * it asks for the admin token, refuses a wrong one, and with the right one draws the usage ledger's
 * charts with the traffic of the test and the upstreams' table. Saves a screenshot for docs/operations.md.
 */
@QuarkusTest
@TestProfile(DashboardBrowserTest.WithAdmin.class)
@DisabledIfSystemProperty(named = LambdaProfile.PROPERTY, matches = "true", disabledReason = LambdaProfile.NO_SOCKET)
class DashboardBrowserTest {

    static final String ADMIN = "admin-token-for-the-dashboard-test-0123456789";
    static final String GINA = "sk-sluice-gina-static-key-for-tests-00000000000";
    static final String HUGO = "sk-sluice-hugo-static-key-for-tests-00000000000";
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final Path SCREENSHOT = Path.of("target/dashboard.png");

    public static class WithAdmin implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("sluice.upstream.api-key", "sk-company",
                    "sluice.accept-any-key", "false",
                    "sluice.admin-token", ADMIN,
                    "sluice.caller.burst", "4",
                    "sluice.keys.gina.sha256", CallerKeys.hash(GINA),
                    "sluice.keys.hugo.sha256", CallerKeys.hash(HUGO));
        }
    }

    TestUpstream upstream = TestUpstreamResource.upstream();

    @Inject
    UsageCounters counters;

    @TestHTTPResource("/admin/")
    URL dashboard;

    private ChromeDriver browser;

    @BeforeEach
    void start() {
        // CI installs the browser; a developer's machine without it skips this test, CI never does
        assumeTrue(Files.isExecutable(CHROMEDRIVER) || "true".equals(System.getenv("CI")),
                "chromium-driver is not installed (apt-get install chromium chromium-driver)");
        upstream.reset();
        TestClock.refillEverything();
        ChromeOptions options = new ChromeOptions().addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                "--window-size=1400,1250");
        browser = new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).build(), options);
    }

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.quit();
        }
    }

    private static void chat(String key, int times) {
        for (int i = 0; i < times; i++) {
            given().header("Authorization", "Bearer " + key).contentType(ContentType.JSON)
                    .body("{\"model\":\"gpt-test\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
                    .when().post("/v1/chat/completions");
        }
    }

    @Test
    void asksForTheTokenThenDrawsTheUsageAndTheUpstreams() throws Exception {
        // five days of traffic: Gina 1, 2, 3, 4, 1 requests, Hugo 6 a day (4 answered, 2 refused by his bucket of 4)
        for (int day = 0; day < 5; day++) {
            chat(GINA, day % 4 + 1);
            chat(HUGO, 6);
            counters.flush().get(10, TimeUnit.SECONDS);
            if (day < 4) {
                TestClock.refillEverything(); // the next day, every bucket full
            }
        }

        browser.get(dashboard.toString());
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));
        wait.until(page -> page.findElement(By.id("login")).isDisplayed());
        browser.findElement(By.id("token")).sendKeys("a-wrong-token-that-is-long-enough-0123456789");
        browser.findElement(By.cssSelector("#token-form button")).click();
        wait.until(page -> !page.findElement(By.id("login-error")).getText().isEmpty());

        browser.findElement(By.id("token")).sendKeys(ADMIN);
        browser.findElement(By.cssSelector("#token-form button")).click();
        wait.until(page -> "true".equals(page.findElement(By.tagName("body")).getAttribute("data-rendered")));

        JavascriptExecutor js = browser;
        Object requests = js.executeScript("return echarts.getInstanceByDom(document.getElementById('chart-fleet'))"
                + ".getOption().series[0].data.reduce((a, b) => a + b, 0)");
        Object refusals = js.executeScript("return echarts.getInstanceByDom(document.getElementById('chart-fleet'))"
                + ".getOption().series[1].data.reduce((a, b) => a + b, 0)");
        Object topKeys = js.executeScript("return echarts.getInstanceByDom(document.getElementById('chart-keys'))"
                + ".getOption().yAxis[0].data");
        Object scopes = js.executeScript("return echarts.getInstanceByDom(document.getElementById('chart-refusals'))"
                + ".getOption().series.map(s => s.name)");
        assertThat(((Number) requests).longValue()).isEqualTo(11 + 5 * 4);
        assertThat(((Number) refusals).longValue()).isEqualTo(5 * 2);
        assertThat(topKeys.toString()).contains("env-gina", "env-hugo");
        assertThat(scopes.toString()).contains("caller");
        assertThat(browser.findElement(By.cssSelector("#upstreams tbody")).getText()).contains("default").contains("closed");
        // the token stays in this tab's session storage, never in the page's address
        assertThat(browser.getCurrentUrl()).doesNotContain(ADMIN);

        Files.createDirectories(SCREENSHOT.getParent());
        File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Files.copy(shot.toPath(), SCREENSHOT, StandardCopyOption.REPLACE_EXISTING);
    }
}
