package dev.sluice.api;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

/** Nothing listens where the upstream should be: 502, streamed or not. */
@QuarkusTest
@TestProfile(UnreachableUpstreamTest.NothingThere.class)
class UnreachableUpstreamTest {

    public static class NothingThere implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("sluice.upstream.url", "http://127.0.0.1:" + closedPort() + "/v1");
        }

        private static int closedPort() {
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                return socket.getLocalPort(); // free again once closed
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @Test
    void aRefusedConnectionIs502() {
        given().header("Authorization", "Bearer sk-anyone").contentType(ContentType.JSON)
                .body("{\"model\":\"m\",\"messages\":[{\"role\":\"user\"}]}")
                .when().post("/v1/chat/completions")
                .then().statusCode(502)
                .contentType(ContentType.JSON)
                .body("error.type", equalTo("server_error"))
                .body("error.code", equalTo("upstream_unreachable"));
        given().header("Authorization", "Bearer sk-anyone").contentType(ContentType.JSON)
                .body("{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\"}]}")
                .when().post("/v1/chat/completions")
                .then().statusCode(502)
                .body("error.code", equalTo("upstream_unreachable"));
        given().header("Authorization", "Bearer sk-anyone")
                .when().get("/v1/models")
                .then().statusCode(502);
    }
}
