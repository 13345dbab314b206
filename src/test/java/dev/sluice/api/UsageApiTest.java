package dev.sluice.api;

import dev.sluice.keys.CallerKeys;
import dev.sluice.upstream.TestUpstream;
import dev.sluice.upstream.TestUpstreamResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

/**
 * The usage ledger read back: the admin's rows per period, key and upstream (JSON and CSV, by day and
 * by hour), and a caller's own view of its limits and usage.
 */
@QuarkusTest
@TestProfile(UsageApiTest.Ledger.class)
class UsageApiTest {

    static final String ADMIN = "admin-token-for-the-usage-tests-0123456789";
    static final String ERIN = "sk-sluice-erin-static-key-for-tests-00000000000";
    static final String FRED = "sk-sluice-fred-static-key-for-tests-00000000000";

    public static class Ledger implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.ofEntries(
                    Map.entry("sluice.upstream.api-key", "sk-company"),
                    Map.entry("sluice.accept-any-key", "false"),
                    Map.entry("sluice.admin-token", ADMIN),
                    Map.entry("sluice.plans.basic.rate", "1/h"),
                    Map.entry("sluice.plans.basic.burst", "1"),
                    Map.entry("sluice.plans.basic.tpm", "1000"),
                    Map.entry("sluice.plans.basic.daily-requests", "10"),
                    Map.entry("sluice.plans.basic.max-concurrent", "2"),
                    Map.entry("sluice.keys.erin.sha256", CallerKeys.hash(ERIN)),
                    Map.entry("sluice.keys.fred.sha256", CallerKeys.hash(FRED)),
                    Map.entry("sluice.keys.fred.plan", "basic"));
        }
    }

    TestUpstream upstream = TestUpstreamResource.upstream();

    @Inject
    UsageCounters counters;

    @BeforeEach
    void reset() {
        upstream.reset();
        TestClock.refillEverything(); // also a new day: the ledger starts empty for these keys
    }

    private static ValidatableResponse chat(String key) {
        return given().header("Authorization", "Bearer " + key).contentType(ContentType.JSON)
                .body("{\"model\":\"gpt-test\",\"max_tokens\":50,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
                .when().post("/v1/chat/completions").then();
    }

    private static RequestSpecification admin() {
        return given().header("Authorization", "Bearer " + ADMIN);
    }

    private void flushed() throws Exception {
        counters.flush().get(10, TimeUnit.SECONDS);
    }

    @Test
    void theAdminSeesEachKeysRequestsRefusalsAndTokensPerUpstreamAndPeriod() throws Exception {
        chat(ERIN).statusCode(200);
        chat(ERIN).statusCode(200);
        chat(FRED).statusCode(200);
        chat(FRED).statusCode(429);
        flushed();

        admin().when().get("/admin/v1/usage").then().statusCode(200)
                .body("object", equalTo("list"))
                .body("data", org.hamcrest.Matchers.hasSize(3))
                .body("data.find { it.key == 'env-erin' }.upstream", equalTo("default"))
                .body("data.find { it.key == 'env-erin' }.requests", equalTo(2))
                .body("data.find { it.key == 'env-erin' }.prompt_tokens", equalTo(18))
                .body("data.find { it.key == 'env-erin' }.completion_tokens", equalTo(6))
                .body("data.find { it.key == 'env-fred' && it.upstream == 'default' }.requests", equalTo(1))
                .body("data.find { it.key == 'env-fred' && it.upstream == null }.refusals.caller", equalTo(1))
                .body("totals.requests", equalTo(3))
                .body("totals.refusals", equalTo(1))
                .body("totals.prompt_tokens", equalTo(27))
                .body("totals.completion_tokens", equalTo(9));

        // the same by the hour, for one key, on one upstream (no refusals' row: it has no upstream)
        admin().queryParam("granularity", "hour").queryParam("key", "env-fred").queryParam("upstream", "default")
                .when().get("/admin/v1/usage").then().statusCode(200)
                .body("data", org.hamcrest.Matchers.hasSize(1))
                .body("data[0].period", org.hamcrest.Matchers.matchesPattern("\\d{4}-\\d{2}-\\d{2}T\\d{2}"))
                .body("data[0].requests", equalTo(1))
                .body("totals.refusals", equalTo(0));

        String csv = admin().accept("text/csv").when().get("/admin/v1/usage").then().statusCode(200)
                .contentType("text/csv").extract().asString();
        List<String> lines = csv.lines().toList();
        assertThat(lines.get(0)).isEqualTo("period,key,upstream,requests,refusals,refusals_by_scope,prompt_tokens,completion_tokens");
        assertThat(lines).hasSize(4).anySatisfy(line -> assertThat(line).endsWith(",env-erin,default,2,0,,18,6"))
                .anySatisfy(line -> assertThat(line).endsWith(",env-fred,,0,1,caller=1,0,0"));
    }

    @Test
    void badQueriesAre400NamingTheParameterAndOnlyTheAdminTokenOpensIt() {
        admin().queryParam("granularity", "week").when().get("/admin/v1/usage").then().statusCode(400)
                .body("error.param", equalTo("granularity"));
        admin().queryParam("from", "2026-13-01").when().get("/admin/v1/usage").then().statusCode(400)
                .body("error.param", equalTo("from"));
        admin().queryParam("upstream", "elsewhere").when().get("/admin/v1/usage").then().statusCode(400)
                .body("error.param", equalTo("upstream"));
        given().header("Authorization", "Bearer " + ERIN).when().get("/admin/v1/usage").then().statusCode(401)
                .body("error.code", equalTo("invalid_admin_token"));
    }

    @Test
    void aCallerSeesItsPlanWhatIsLeftInEachLimitAndItsUsage() throws Exception {
        chat(FRED).statusCode(200);
        chat(FRED).statusCode(429);
        flushed();

        given().header("Authorization", "Bearer " + FRED).when().get("/sluice/v1/usage").then().statusCode(200)
                .body("object", equalTo("usage"))
                .body("key", equalTo("env-fred"))
                .body("plan", equalTo("basic"))
                .body("limits.find { it.scope == 'caller' }.limit", equalTo(1))
                .body("limits.find { it.scope == 'caller' }.remaining", equalTo(0))
                .body("limits.find { it.scope == 'caller-concurrency' }.remaining", equalTo(2))
                .body("limits.find { it.scope == 'caller-tokens' }.limit", equalTo(1000))
                .body("limits.find { it.scope == 'caller-daily-requests' }.limit", equalTo(10))
                .body("limits.find { it.scope == 'caller-daily-requests' }.remaining", equalTo(9))
                .body("usage.today.requests", equalTo(1))
                .body("usage.today.refusals", equalTo(1))
                .body("usage.today.prompt_tokens", equalTo(9))
                .body("usage.month.requests", org.hamcrest.Matchers.greaterThanOrEqualTo(1)); // earlier tests' days are this month too
        given().header("Authorization", "Bearer sk-made-up").when().get("/sluice/v1/usage").then().statusCode(401)
                .body("error.code", equalTo("invalid_api_key"));
        given().when().get("/sluice/v1/usage").then().statusCode(401).body("error.param", nullValue());
    }
}
