package dev.sluice.upstream;

import io.vertx.core.buffer.Buffer;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whom an upstream's 429 concerns. Only a key whose limit is used up is a reason to pause every
 * caller; a request too large for the limit, or larger than what is left of it, is that request's
 * own affair, and pausing the fleet for it would let one caller stall everyone (issue 17).
 *
 * <p>OpenAI says which in the reply: a request that no wait could let through is refused with
 * "Request too large for gpt-4o in organization org-… on tokens per min (TPM): Limit 30000,
 * Requested 35064. The input or output tokens must be reduced in order to run successfully." (type
 * {@code tokens}, code {@code rate_limit_exceeded}; quoted in enricoros/big-AGI#636 and
 * TheR1D/shell_gpt#653), and a key over its limit with "Rate limit reached for … on tokens per min
 * (TPM): Limit 30000, Used 28943, Requested 4096. Please try again in …"; every reply carries
 * {@code x-ratelimit-remaining-requests} and {@code -tokens}, which tell whether anything is left.
 */
public sealed interface Throttle {

    /** Larger than the limit itself: no wait helps on this upstream; nobody else is paused. */
    record RequestTooLarge() implements Throttle {
        @Override
        public long advisedMillis() {
            return 0; // another upstream may take it at once; this one never will
        }
    }

    /**
     * The key has capacity left, only not enough for this request (its remaining headers are above
     * zero): the request waits as advised, alone; the shared buckets take the upstream's word on what is left.
     */
    record ShortOfCapacity(long advisedMillis) implements Throttle {
    }

    /** A limit of the key is used up (a remaining header at zero, or none said): every caller pauses as advised. */
    record Exhausted(long advisedMillis) implements Throttle {

        /** The pause kept after a 429 that advised none. */
        public static final long DEFAULT_PAUSE_MILLIS = 1000;

        /**
         * The fleet's pause: as advised, a second when the upstream advised nothing, never longer than
         * {@code maxMillis} (a pause past it is ended by the next 429, should the key still be used up).
         */
        public long pauseMillis(long maxMillis) {
            return Math.min(advisedMillis > 0 ? advisedMillis : DEFAULT_PAUSE_MILLIS, maxMillis);
        }
    }

    /** The wait advised for this request itself, whatever the pause of the others. */
    long advisedMillis();

    /** "Limit 30000, Requested 35064": what OpenAI's message reports of the limit and the request. */
    Pattern LIMIT_AND_REQUESTED = Pattern.compile("\\bLimit (\\d{1,18}), Requested (\\d{1,18})\\b");

    /**
     * @param headers       the 429's headers, names in lower case
     * @param body          its body (read whole, as every retryable reply is); may be empty or not JSON
     * @param advisedMillis the wait its headers advise ({@link RetryAdvice}), 0 when none
     */
    static Throttle of(Map<String, List<String>> headers, Buffer body, long advisedMillis) {
        if (tooLarge(ErrorMessage.of(body))) {
            return new RequestTooLarge();
        }
        return RetryAdvice.capacityLeft(headers) ? new ShortOfCapacity(advisedMillis) : new Exhausted(advisedMillis);
    }

    /** "Request too large ...", or a message whose request is larger than its limit. */
    static boolean tooLarge(String message) {
        if (message == null) {
            return false;
        }
        if (message.strip().toLowerCase(Locale.ROOT).startsWith("request too large")) {
            return true;
        }
        Matcher numbers = LIMIT_AND_REQUESTED.matcher(message);
        return numbers.find() && Long.parseLong(numbers.group(2)) > Long.parseLong(numbers.group(1));
    }
}
