package dev.sluice.api;

import dev.sluice.limit.BucketSnapshot;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The headers of a refusal, as OpenAI sends them and its SDKs read them: {@code retry-after} in
 * whole seconds, {@code retry-after-ms}, and {@code x-ratelimit-*} for the bucket that refused.
 */
public final class RateLimitHeaders {

    private static final long NANOS_PER_MILLI = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long NANOS_PER_SECOND = TimeUnit.SECONDS.toNanos(1);

    private RateLimitHeaders() {
    }

    /**
     * @param retryAfterNanos when the request could pass, from now
     * @param bucket          the bucket that refused; its capacity is reported as the limit
     * @param unit            {@code requests} or {@code tokens}
     */
    public static Map<String, String> forRefusal(long retryAfterNanos, BucketSnapshot bucket, String unit) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("retry-after", Long.toString(ceilDiv(retryAfterNanos, NANOS_PER_SECOND)));
        headers.put("retry-after-ms", Long.toString(ceilDiv(retryAfterNanos, NANOS_PER_MILLI)));
        headers.put("x-ratelimit-limit-" + unit, Long.toString(bucket.capacity()));
        headers.put("x-ratelimit-remaining-" + unit, Long.toString(bucket.availableTokens()));
        headers.put("x-ratelimit-reset-" + unit, formatDuration(bucket.nanosUntilFull()));
        return headers;
    }

    /**
     * A duration the way OpenAI writes it in {@code x-ratelimit-reset-*} (Go's format): {@code 20ms},
     * {@code 1s}, {@code 1.5s}, {@code 6m0s}, {@code 1h2m3s}. Rounded up to the millisecond so that
     * a client waiting that long never comes back early.
     */
    public static String formatDuration(long nanos) {
        long millis = ceilDiv(Math.max(0, nanos), NANOS_PER_MILLI);
        if (millis == 0) {
            return "0s";
        }
        if (millis < 1000) {
            return millis + "ms";
        }
        long hours = millis / 3_600_000;
        long minutes = millis / 60_000 % 60;
        long seconds = millis / 1000 % 60;
        long fraction = millis % 1000;
        StringBuilder text = new StringBuilder();
        if (hours > 0) {
            text.append(hours).append('h');
        }
        if (hours > 0 || minutes > 0) {
            text.append(minutes).append('m');
        }
        text.append(seconds);
        if (fraction > 0) {
            String digits = String.format("%03d", fraction).replaceAll("0+$", "");
            text.append('.').append(digits);
        }
        return text.append('s').toString();
    }

    static long ceilDiv(long value, long divisor) {
        return value / divisor + (value % divisor == 0 ? 0 : 1);
    }
}
