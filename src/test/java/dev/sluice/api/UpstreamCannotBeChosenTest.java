package dev.sluice.api;

import dev.sluice.upstream.SecondUpstreamResource;
import dev.sluice.upstream.TestUpstream;
import dev.sluice.upstream.TestUpstreamResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Where a call goes is configuration, never the request's: no header, path, query or body field sends
 * it anywhere but the configured upstream. A second server stands where a request tries to point, and
 * must never hear from Sluice (issue 17).
 */
@QuarkusTest
@TestProfile(UpstreamCannotBeChosenTest.Elsewhere.class)
class UpstreamCannotBeChosenTest {

    public static class Elsewhere implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("sluice.caller.burst", "100", "sluice.caller.rate", "100/s");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(SecondUpstreamResource.class));
        }
    }

    private static final String BODY = "{\"model\":\"gpt-test\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    @Test
    void noHeaderPathQueryOrBodyFieldRedirectsACall() throws IOException {
        TestUpstream configured = TestUpstreamResource.upstream();
        TestUpstream elsewhere = SecondUpstreamResource.upstream();
        configured.reset();
        elsewhere.reset();
        TestClock.refillEverything();
        URI target = URI.create(elsewhere.baseUrl());
        String hostPort = target.getHost() + ":" + target.getPort();
        String redirectingBody = BODY.replace("{\"model\"", "{\"base_url\":\"" + elsewhere.baseUrl() + "\",\"url\":\""
                + elsewhere.baseUrl() + "\",\"api_base\":\"" + elsewhere.baseUrl() + "\",\"model\"");

        for (Map<String, String> headers : List.of(Map.of("Host", hostPort), Map.of("X-Forwarded-Host", hostPort),
                Map.of("X-Forwarded-Host", hostPort, "X-Forwarded-Proto", "http", "X-Forwarded-Port", Integer.toString(target.getPort())),
                Map.of("Forwarded", "host=" + hostPort + ";proto=http"), Map.of("X-Original-URL", elsewhere.baseUrl() + "/chat/completions"),
                Map.of("X-Rewrite-URL", "/v1/chat/completions"), Map.of("OpenAI-Base-URL", elsewhere.baseUrl()))) {
            given().header("Authorization", "Bearer sk-redirector").headers(headers).contentType(ContentType.JSON).body(BODY)
                    .when().post("/v1/chat/completions").then().statusCode(200);
        }
        given().header("Authorization", "Bearer sk-redirector").contentType(ContentType.JSON).body(redirectingBody)
                .when().post("/v1/chat/completions").then().statusCode(200);
        given().header("Authorization", "Bearer sk-redirector").contentType(ContentType.JSON).body(BODY)
                .queryParam("base_url", elsewhere.baseUrl()).queryParam("url", elsewhere.baseUrl())
                .when().post("/v1/chat/completions").then().statusCode(200);
        int beforeRaw = configured.requests().size();
        // the absolute form of a request line, and paths that climb out of /v1 or name a host
        for (String requestTarget : List.of(elsewhere.baseUrl() + "/chat/completions", "/v1/chat/completions/../../" + hostPort
                + "/v1/chat/completions", "//" + hostPort + "/v1/chat/completions", "/v1/%2e%2e/%2e%2e/" + hostPort)) {
            String status = rawPost(requestTarget);
            assertThat(status).as(requestTarget).matches("HTTP/1\\.1 (200|400|404|405) .*");
        }

        assertThat(elsewhere.requests()).as("nothing went where a request pointed").isEmpty();
        assertThat(beforeRaw).as("every call above went to the configured upstream").isEqualTo(9);
    }

    /** POST with {@code requestTarget} written as it is on the request line; the status line of the answer. */
    private static String rawPost(String requestTarget) throws IOException {
        byte[] body = BODY.getBytes(StandardCharsets.UTF_8);
        try (Socket socket = new Socket("127.0.0.1", RestAssured.port)) {
            socket.setSoTimeout(10_000);
            String head = "POST " + requestTarget + " HTTP/1.1\r\nHost: 127.0.0.1:" + RestAssured.port
                    + "\r\nAuthorization: Bearer sk-redirector\r\nContent-Type: application/json\r\nContent-Length: " + body.length
                    + "\r\nConnection: close\r\n\r\n";
            socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().write(body);
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            for (int b = in.read(); b != -1 && b != '\n'; b = in.read()) {
                line.write(b);
            }
            return line.toString(StandardCharsets.US_ASCII).strip();
        }
    }
}
