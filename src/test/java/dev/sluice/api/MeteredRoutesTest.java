package dev.sluice.api;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/** The content types a model call's route takes as JSON: those JAX-RS's {@code @Consumes(application/json)} took (BadInputTest has the 415). */
class MeteredRoutesTest {

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {" ", "application/json", "application/json; charset=utf-8", "APPLICATION/JSON", " application/json ;x=y",
            "*/*", "application/*"})
    void json(String contentType) {
        assertThat(MeteredRoutes.json(contentType)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"text/plain", "application/x-www-form-urlencoded", "application/vnd.api+json", "application/json-patch",
            "multipart/form-data; boundary=x", "application/jsonx"})
    void notJson(String contentType) {
        assertThat(MeteredRoutes.json(contentType)).isFalse();
    }
}
