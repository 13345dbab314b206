package dev.sluice.sim;

/**
 * Durations the way OpenAI writes {@code x-ratelimit-reset-*} and "try again in" (Go's
 * {@code time.Duration} format): {@code 20ms}, {@code 1s}, {@code 1.5s}, {@code 6m0s}, {@code 1h2m3s}.
 */
final class GoDuration {

    private GoDuration() {
    }

    /** Rounded up to the millisecond, so that a client waiting that long never comes back early. */
    static String format(long nanos) {
        return formatMillis(ceilMillis(nanos));
    }

    static long ceilMillis(long nanos) {
        return nanos <= 0 ? 0 : (nanos - 1) / 1_000_000 + 1;
    }

    static String formatMillis(long millis) {
        if (millis <= 0) {
            return "0s";
        }
        if (millis < 1000) {
            return millis + "ms";
        }
        StringBuilder text = new StringBuilder(12);
        long hours = millis / 3_600_000;
        long minutes = millis / 60_000 % 60;
        if (hours > 0) {
            text.append(hours).append('h');
        }
        if (hours > 0 || minutes > 0) {
            text.append(minutes).append('m');
        }
        text.append(millis / 1000 % 60);
        long fraction = millis % 1000;
        if (fraction > 0) {
            text.append('.').append(fraction / 100);
            if (fraction % 100 > 0) {
                text.append(fraction / 10 % 10);
                if (fraction % 10 > 0) {
                    text.append(fraction % 10);
                }
            }
        }
        return text.append('s').toString();
    }
}
