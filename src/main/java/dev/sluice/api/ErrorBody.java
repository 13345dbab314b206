package dev.sluice.api;

/**
 * OpenAI's error JSON: {@code {"error":{"message":…,"type":…,"param":…,"code":…}}}. SDKs read
 * {@code type} and {@code code}; {@code param} names the offending request field, if any.
 */
public record ErrorBody(Detail error) {

    public record Detail(String message, String type, String param, String code) {
    }

    public static ErrorBody of(String message, String type, String param, String code) {
        return new ErrorBody(new Detail(message, type, param, code));
    }
}
