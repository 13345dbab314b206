package dev.sluice.api;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

/** Without SLUICE_ADMIN_TOKEN there is no admin API: its paths are unknown URLs, whoever asks. */
@QuarkusTest
class AdminApiOffTest {

    @Test
    void everyAdminPathIs404() {
        given().when().get("/admin/v1/keys").then().statusCode(404).body("error.code", equalTo("unknown_url"));
        given().header("Authorization", "Bearer anything").contentType("application/json").body("{\"name\":\"x\"}")
                .when().post("/admin/v1/keys").then().statusCode(404);
        given().when().get("/admin/v1/plans").then().statusCode(404);
        given().when().get("/admin/v1/openapi").then().statusCode(404);
        given().when().get("/admin/v1/usage").then().statusCode(404);
        given().when().get("/admin/v1/upstreams").then().statusCode(404);
        given().redirects().follow(false).when().get("/admin").then().statusCode(404);
        given().when().get("/admin/").then().statusCode(404);
        given().when().get("/admin/dashboard.js").then().statusCode(404);
        given().when().get("/q/openapi").then().statusCode(404); // the description lives under the admin API only
    }
}
