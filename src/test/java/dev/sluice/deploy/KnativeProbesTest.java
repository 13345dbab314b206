package dev.sluice.deploy;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

/** The probes of deploy/knative/service.yaml answer on a running Sluice; readiness is the one with the store check. */
@QuarkusTest
class KnativeProbesTest {

    /** The httpGet path of one of the container's probes in the manifest. */
    static String path(String probe) {
        return Manifests.only("deploy/knative/service.yaml")
                .at("/spec/template/spec/containers/0/" + probe + "/httpGet/path").asText();
    }

    @Test
    void theLivenessProbeAnswersUp() {
        given().get(path("livenessProbe")).then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void theReadinessProbeAnswersUp() {
        given().get(path("readinessProbe")).then().statusCode(200).body("status", equalTo("UP"))
                .body("checks.name", hasItem("bucket-store"));
    }
}
