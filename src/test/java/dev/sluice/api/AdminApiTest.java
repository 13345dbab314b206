package dev.sluice.api;

import dev.sluice.upstream.TestUpstreamResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.LogRecord;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

/** Every endpoint of the admin API and its errors, with keys required in managed mode. */
@QuarkusTest
@TestProfile(AdminApiTest.AdminOn.class)
class AdminApiTest {

    static final String ADMIN = "admin-token-for-tests-0123456789abcdef";

    public static class AdminOn implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("sluice.upstream.api-key", "sk-company",
                    "sluice.accept-any-key", "false",
                    "sluice.admin-token", ADMIN,
                    "sluice.plans.basic.rate", "1/h",
                    "sluice.plans.basic.burst", "1",
                    "sluice.plans.basic.max-concurrent", "3",
                    "sluice.plans.basic.models", "gpt-test");
        }
    }

    @BeforeEach
    void reset() {
        TestUpstreamResource.upstream().reset();
        TestClock.refillEverything();
    }

    private static RequestSpecification admin() {
        return given().header("Authorization", "Bearer " + ADMIN).contentType(ContentType.JSON);
    }

    private static ValidatableResponse chat(String key) {
        return given().header("Authorization", "Bearer " + key).contentType(ContentType.JSON)
                .body("{\"model\":\"gpt-test\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
                .when().post("/v1/chat/completions").then();
    }

    private static ValidatableResponse create(String body) {
        return admin().body(body).when().post("/admin/v1/keys").then();
    }

    @Test
    void aKeyIsIssuedShownOnceAndWorksAtOnce() {
        ValidatableResponse created = create("{\"name\":\"billing\",\"plan\":\"basic\"}").statusCode(201)
                .body("id", matchesPattern("key_[0-9a-f]{24}"))
                .body("object", equalTo("key"))
                .body("name", equalTo("billing"))
                .body("plan", equalTo("basic"))
                .body("disabled", equalTo(false))
                .body("expires_at", nullValue())
                .body("created_at", notNullValue())
                .body("key", matchesPattern("sk-sluice-[A-Za-z0-9_-]{43}"));
        String id = created.extract().path("id");
        String key = created.extract().path("key");

        chat(key).statusCode(200);
        chat(key).statusCode(429).header(RateLimitedException.SCOPE_HEADER, "caller");

        admin().when().get("/admin/v1/keys/" + id).then().statusCode(200)
                .body("id", equalTo(id)).body("key", nullValue()).body("name", equalTo("billing"));
    }

    @Test
    void aKeyIsChangedDisabledRotatedAndRevoked() {
        ValidatableResponse created = create("{\"name\":\"ops\"}").statusCode(201).body("plan", equalTo("default"));
        String id = created.extract().path("id");
        String key = created.extract().path("key");

        admin().body("{\"plan\":\"basic\",\"overrides\":{\"burst\":2,\"rate\":\"10/m\",\"max_concurrent\":2},\"name\":\"ops team\"}")
                .when().patch("/admin/v1/keys/" + id).then().statusCode(200)
                .body("plan", equalTo("basic")).body("name", equalTo("ops team"))
                .body("overrides.burst", equalTo(2)).body("overrides.rate", equalTo("10/m"))
                .body("overrides.max_concurrent", equalTo(2));
        chat(key).statusCode(200);
        chat(key).statusCode(200); // the override's burst of 2
        chat(key).statusCode(429);

        admin().body("{\"disabled\":true}").when().patch("/admin/v1/keys/" + id).then().statusCode(200).body("disabled", equalTo(true));
        chat(key).statusCode(401).body("error.code", equalTo("invalid_api_key"));
        admin().body("{\"disabled\":false}").when().patch("/admin/v1/keys/" + id).then().statusCode(200);

        TestClock.refillEverything();
        String rotated = admin().body("{\"grace\":\"1h\"}").when().post("/admin/v1/keys/" + id + "/rotate").then().statusCode(200)
                .body("id", equalTo(id)).body("previous_key_valid_until", notNullValue()).extract().path("key");
        assertThat(rotated).isNotEqualTo(key);
        chat(rotated).statusCode(200);
        chat(key).statusCode(200); // still within its grace
        String again = admin().when().post("/admin/v1/keys/" + id + "/rotate").then().statusCode(200)
                .body("previous_key_valid_until", nullValue()).extract().path("key");
        TestClock.refillEverything();
        chat(rotated).statusCode(401);
        chat(again).statusCode(200);

        admin().when().delete("/admin/v1/keys/" + id).then().statusCode(200).body("deleted", equalTo(true));
        chat(again).statusCode(401);
        admin().when().get("/admin/v1/keys/" + id).then().statusCode(404).body("error.code", equalTo("key_not_found"));
        admin().when().delete("/admin/v1/keys/" + id).then().statusCode(404);
    }

    @Test
    void keysAreListedPageByPage() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(create("{\"name\":\"page-" + i + "\"}").statusCode(201).extract().path("id"));
        }
        List<String> seen = new ArrayList<>();
        String after = null;
        boolean more = true;
        while (more) {
            RequestSpecification request = admin().queryParam("limit", 2);
            if (after != null) {
                request = request.queryParam("after", after);
            }
            ValidatableResponse page = request.when().get("/admin/v1/keys").then().statusCode(200).body("object", equalTo("list"));
            List<String> pageIds = page.extract().path("data.id");
            assertThat(pageIds).hasSizeLessThanOrEqualTo(2);
            seen.addAll(pageIds);
            more = page.extract().path("has_more");
            after = page.extract().path("last_id");
        }
        assertThat(seen).containsAll(ids).doesNotHaveDuplicates();
        admin().when().get("/admin/v1/keys").then().body("data.key", org.hamcrest.Matchers.everyItem(nullValue()));
    }

    @Test
    void plansAreListed() {
        admin().when().get("/admin/v1/plans").then().statusCode(200)
                .body("data", hasSize(2))
                .body("data.find { it.name == 'basic' }.rate", equalTo("1/h"))
                .body("data.find { it.name == 'basic' }.models", equalTo(List.of("gpt-test")))
                .body("data.find { it.name == 'basic' }.max_concurrent", equalTo(3))
                .body("data.find { it.name == 'default' }.burst", equalTo(5));
    }

    @Test
    void withoutTheAdminTokenNothingIsShown() {
        given().when().get("/admin/v1/keys").then().statusCode(401).body("error.code", equalTo("invalid_admin_token"));
        given().header("Authorization", "Bearer wrong").when().get("/admin/v1/plans").then().statusCode(401);
        String key = create("{\"name\":\"caller\"}").statusCode(201).extract().path("key");
        given().header("Authorization", "Bearer " + key).when().get("/admin/v1/keys").then()
                .statusCode(401); // a caller key is no admin token
    }

    @Test
    void badInputIs400NamingTheField() {
        create("not json").statusCode(400).body("error.type", equalTo("invalid_request_error"));
        create("[]").statusCode(400);
        create("{}").statusCode(400).body("error.param", equalTo("name"));
        create("{\"name\":\"\"}").statusCode(400).body("error.param", equalTo("name"));
        create("{\"name\":\"" + "x".repeat(129) + "\"}").statusCode(400).body("error.param", equalTo("name"));
        create("{\"name\":\"a\",\"plan\":\"gold\"}").statusCode(400).body("error.param", equalTo("plan"));
        create("{\"name\":\"a\",\"colour\":\"red\"}").statusCode(400).body("error.param", equalTo("colour"));
        create("{\"name\":\"a\",\"expires_at\":\"tomorrow\"}").statusCode(400).body("error.param", equalTo("expires_at"));
        create("{\"name\":\"a\",\"expires_at\":\"2001-01-01T00:00:00Z\"}").statusCode(400).body("error.param", equalTo("expires_at"));
        create("{\"name\":\"a\",\"overrides\":{\"burst\":0}}").statusCode(400).body("error.param", equalTo("overrides.burst"));
        create("{\"name\":\"a\",\"overrides\":{\"burst\":1.5}}").statusCode(400).body("error.param", equalTo("overrides.burst"));
        create("{\"name\":\"a\",\"overrides\":{\"rate\":\"fast\"}}").statusCode(400).body("error.param", equalTo("overrides.rate"));
        create("{\"name\":\"a\",\"overrides\":{\"speed\":1}}").statusCode(400).body("error.param", equalTo("overrides.speed"));
        create("{\"name\":\"a\",\"overrides\":{\"max_concurrent\":100001}}").statusCode(400)
                .body("error.param", equalTo("overrides.max_concurrent"));
        String id = create("{\"name\":\"a\"}").statusCode(201).extract().path("id");
        admin().body("{\"grace\":\"forever\"}").when().post("/admin/v1/keys/" + id + "/rotate").then().statusCode(400)
                .body("error.param", equalTo("grace"));
        admin().body("{\"grace\":\"31d\"}").when().post("/admin/v1/keys/" + id + "/rotate").then().statusCode(400);
        admin().body("{\"disabled\":\"yes\"}").when().patch("/admin/v1/keys/" + id).then().statusCode(400)
                .body("error.param", equalTo("disabled"));
        admin().queryParam("limit", 0).when().get("/admin/v1/keys").then().statusCode(400).body("error.param", equalTo("limit"));
        admin().queryParam("after", "key_nope").when().get("/admin/v1/keys").then().statusCode(400);
        admin().when().patch("/admin/v1/keys/key_nope").then().statusCode(400); // no body
        admin().body("{\"name\":\"b\"}").when().patch("/admin/v1/keys/key_nope").then().statusCode(404);
    }

    @Test
    void noSecretReachesTheLog() {
        List<String> lines = new ArrayList<>();
        Handler collector = new Handler() {
            @Override
            public void publish(LogRecord record) {
                String message = record.getMessage();
                Object[] parameters = record.getParameters();
                synchronized (lines) {
                    lines.add(message + " " + (parameters == null ? "" : java.util.Arrays.toString(parameters))
                            + (record.getThrown() == null ? "" : " " + record.getThrown()));
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
        root.addHandler(collector);
        List<String> secrets = new ArrayList<>(List.of(ADMIN, "sk-company"));
        try {
            ValidatableResponse created = create("{\"name\":\"logged\",\"plan\":\"basic\"}").statusCode(201);
            String id = created.extract().path("id");
            secrets.add(created.extract().path("key"));
            chat(secrets.get(2)).statusCode(200);
            chat(secrets.get(2)).statusCode(429);
            secrets.add(admin().body("{\"grace\":\"1m\"}").when().post("/admin/v1/keys/" + id + "/rotate").then().statusCode(200)
                    .extract().path("key"));
            chat("sk-sluice-made-up-key").statusCode(401);
            given().header("Authorization", "Bearer " + ADMIN + "x").when().get("/admin/v1/keys").then().statusCode(401);
            admin().body("{\"disabled\":true}").when().patch("/admin/v1/keys/" + id).then().statusCode(200);
            admin().when().delete("/admin/v1/keys/" + id).then().statusCode(200);
        } finally {
            root.removeHandler(collector);
        }
        synchronized (lines) {
            assertThat(lines).as("audit lines were written").anyMatch(line -> line.contains("revoke"));
            for (String secret : secrets) {
                assertThat(lines).noneMatch(line -> line.contains(secret));
            }
            assertThat(lines).noneMatch(line -> line.contains("sk-sluice-made-up-key"));
        }
    }

    @Test
    void theDashboardPageItsChartsAndTheUpstreamsAreServed() {
        given().redirects().follow(false).when().get("/admin").then().statusCode(302).header("Location", org.hamcrest.Matchers.endsWith("/admin/"));
        given().when().get("/admin/").then().statusCode(200).contentType("text/html")
                .body(org.hamcrest.Matchers.containsString("/webjars/echarts/5.3.1/dist/echarts.min.js"));
        given().when().get("/webjars/echarts/5.3.1/dist/echarts.min.js").then().statusCode(200);
        admin().when().get("/admin/v1/upstreams").then().statusCode(200)
                .body("data[0].name", equalTo("default"))
                .body("data[0].breaker", equalTo("closed"))
                .body("data[0].url", org.hamcrest.Matchers.startsWith("http://127.0.0.1"))
                .body("data[0].cooling_seconds", equalTo(Map.of()));
        given().when().get("/admin/v1/upstreams").then().statusCode(401);
    }

    @Test
    void theOpenApiDescriptionIsServedToTheAdminAndCoversEveryEndpoint() throws Exception {
        given().when().get("/admin/v1/openapi").then().statusCode(401);
        String spec = admin().accept("application/yaml").when().get("/admin/v1/openapi").then().statusCode(200).extract().asString();

        com.fasterxml.jackson.databind.JsonNode paths = new com.fasterxml.jackson.databind.ObjectMapper(
                new com.fasterxml.jackson.dataformat.yaml.YAMLFactory()).readTree(spec).path("paths");
        for (java.lang.reflect.Method method : AdminResource.class.getDeclaredMethods()) {
            jakarta.ws.rs.Path path = method.getAnnotation(jakarta.ws.rs.Path.class);
            String verb = java.util.stream.Stream.of(method.getAnnotations())
                    .map(annotation -> annotation.annotationType().getAnnotation(jakarta.ws.rs.HttpMethod.class))
                    .filter(java.util.Objects::nonNull).map(http -> http.value().toLowerCase()).findFirst().orElse(null);
            if (path == null || verb == null) {
                continue;
            }
            String full = "/admin/v1" + path.value();
            assertThat(paths.path(full).has(verb)).as(verb + " " + full + " is described").isTrue();
        }
    }
}
