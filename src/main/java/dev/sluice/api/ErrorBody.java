package dev.sluice.api;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * OpenAI's error JSON: {@code {"error":{"message":…,"type":…,"param":…,"code":…}}}. SDKs read
 * {@code type} and {@code code}; {@code param} names the offending request field, if any.
 *
 * <p>Registered for reflection (with {@link Detail}) because Jackson writes it from the exception
 * mappers' {@code RestResponse}s, where a native build need not find it as a resource's return type.
 */
@RegisterForReflection
public record ErrorBody(Detail error) {

    public record Detail(String message, String type, String param, String code) {
    }

    public static ErrorBody of(String message, String type, String param, String code) {
        return new ErrorBody(new Detail(message, type, param, code));
    }

    /** A path Sluice does not serve (or an admin path while the admin API is off), as OpenAI words it. */
    public static ErrorBody unknownUrl(String method, String path) {
        return of("Invalid URL (" + method + " " + path + ").", GatewayException.INVALID_REQUEST, null, "unknown_url");
    }
}
