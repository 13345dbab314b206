package dev.sluice.jmh;

import dev.sluice.limit.BucketPolicy;
import dev.sluice.limit.Rate;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;

/** What the benchmarks share: realistic times, keys and policies. */
final class BenchFixtures {

    /** A wall-clock moment in 2026, in epoch nanoseconds, as {@code TimeSource.system()} gives them. */
    static final long MAY_2026_NANOS = epochNanos(Instant.parse("2026-05-04T09:30:00Z"));

    /** The upstream key's bucket, named as {@code AdmissionGate} names it. */
    static final String UPSTREAM_KEY = "upstream:default:requests";

    /** The default caller limit: 5 requests, refilled at 5/s. */
    static final BucketPolicy CALLER_DEFAULT = new BucketPolicy(5, Rate.perSecond(5));

    /** An upstream key allowed 10,000 requests a minute with a burst of 500. */
    static final BucketPolicy UPSTREAM_10K_RPM = new BucketPolicy(500, Rate.perMinute(10_000));

    /**
     * A bucket no benchmark can empty: one token a nanosecond, a thousand seconds of burst. Clocks
     * that drift apart by seconds (one per benchmark thread) still leave it nearly full.
     */
    static final BucketPolicy OUT_OF_REACH = new BucketPolicy(1_000_000_000_000L, Rate.perSecond(1_000_000_000L));

    private BenchFixtures() {
    }

    /** The bucket key of the caller whose bearer token is {@code token}: "caller:" + hex SHA-256. */
    static String callerKey(String token) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
            return "caller:" + HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static long epochNanos(Instant instant) {
        return instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
    }
}
