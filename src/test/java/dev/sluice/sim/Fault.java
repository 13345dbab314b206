package dev.sluice.sim;

import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/** What goes wrong with an admitted request, if anything. */
enum Fault {
    NONE, SERVER_ERROR, RESET, HANG, ABORT;

    /**
     * Draws faults: every request in a 5xx burst, otherwise the configured rates, each an independent
     * chance tried in order (error, reset, hang, then abort for streams). {@link Random} is thread-safe, and seeded it makes a
     * sequential run repeatable.
     */
    static final class Dice {
        private final Random random;
        private final double errorRate;
        private final double resetRate;
        private final double hangRate;
        private final double abortRate;
        private final long jitterMillis;
        private final long burstNanos;
        private final long burstEveryNanos;
        private final long originNanos;
        private final AtomicLong serverErrors = new AtomicLong();

        Dice(SimulatorConfig config) {
            random = new Random(config.seed());
            errorRate = config.errorRate();
            resetRate = config.resetRate();
            hangRate = config.hangRate();
            abortRate = config.abortRate();
            jitterMillis = config.jitterMillis();
            burstNanos = config.errorBurstMillis() * 1_000_000;
            burstEveryNanos = config.errorBurstEveryMillis() * 1_000_000;
            originNanos = config.nanoTime().getAsLong();
        }

        /** @param nowNanos the request's arrival on the config's clock, to place it in or out of a 5xx burst */
        Fault draw(boolean stream, long nowNanos) {
            if (burstNanos > 0 && Math.floorMod(nowNanos - originNanos, burstEveryNanos) < burstNanos) {
                return SERVER_ERROR;
            }
            if (happens(errorRate)) {
                return SERVER_ERROR;
            }
            if (happens(resetRate)) {
                return RESET;
            }
            if (happens(hangRate)) {
                return HANG;
            }
            return stream && happens(abortRate) ? ABORT : NONE;
        }

        /** 500, 503, 500, ...: both kinds show up even in a short run. */
        int nextServerErrorStatus() {
            return serverErrors.getAndIncrement() % 2 == 0 ? 500 : 503;
        }

        long jitterMillis() {
            return jitterMillis == 0 ? 0 : random.nextInt((int) jitterMillis + 1);
        }

        private boolean happens(double rate) {
            // Rates 0 and 1 skip the shared generator: the common cases cost nothing.
            return rate >= 1 || rate > 0 && random.nextDouble() < rate;
        }
    }
}
