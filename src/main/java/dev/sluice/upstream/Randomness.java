package dev.sluice.upstream;

import org.crac.Context;
import org.crac.Core;
import org.crac.Resource;

import java.security.SecureRandom;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Random numbers for the backoff's jitter and the weighted choice of an upstream, different in every
 * instance even when instances are restored from one snapshot (AWS Lambda SnapStart, CRaC).
 *
 * <p>{@link ThreadLocalRandom} seeds each thread from a sequence fixed when its class was
 * initialised, so every clone of a snapshot would draw the same numbers in the same order: after a
 * 429 they would all retry at the same moments and all pick the same upstream, which is what the
 * randomness is there to prevent. Each draw is therefore mixed with a salt from the operating
 * system's entropy, drawn again after every restore. Outside a snapshot the salt is simply drawn once.
 */
public final class Randomness {

    private static volatile long salt = freshSalt();

    /** Held here: a CRaC context may hold the resources it is given only weakly. */
    private static final Resource RESEED_ON_RESTORE = new Resource() {
        @Override
        public void beforeCheckpoint(Context<? extends Resource> context) {
        }

        @Override
        public void afterRestore(Context<? extends Resource> context) {
            reseed();
        }
    };

    static {
        // A no-op on a JVM without CRaC; on Lambda's Java runtime SnapStart calls afterRestore.
        Core.getGlobalContext().register(RESEED_ON_RESTORE);
    }

    private Randomness() {
    }

    /** A uniform double in [0, 1). */
    public static double nextDouble() {
        return toUnit(mix(ThreadLocalRandom.current().nextLong(), salt));
    }

    /** What a restore does: a new salt, so this instance's draws part from its siblings'. */
    static void reseed() {
        salt = freshSalt();
    }

    /** A draw and a salt, mixed (MurmurHash3's 64-bit finaliser): every output bit depends on every input bit. */
    static long mix(long draw, long salt) {
        long mixed = draw ^ salt;
        mixed = (mixed ^ (mixed >>> 33)) * 0xff51afd7ed558ccdL;
        mixed = (mixed ^ (mixed >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return mixed ^ (mixed >>> 33);
    }

    static double toUnit(long bits) {
        return (bits >>> 11) * 0x1.0p-53;
    }

    static long salt() {
        return salt;
    }

    private static long freshSalt() {
        return new SecureRandom().nextLong();
    }
}
