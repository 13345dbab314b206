package dev.sluice.config;

import io.quarkus.logging.LoggingFilter;

import java.util.logging.Filter;
import java.util.logging.LogRecord;

/**
 * Drops two Hot Rod client messages that say nothing an operator can act on, so that losing the
 * Infinispan store reads as Sluice's own one line per event ({@code dev.sluice.store}):
 * <ul>
 *   <li>{@code ISPN004001} "Could not find 'hotrod-client.properties' file in classpath": Quarkus
 *       applies Sluice's {@code META-INF/hotrod-client.properties} when it builds Sluice
 *       ({@code InfinispanStoreTest} checks the settings in force); the client looks again at run time,
 *       at the class path's root, and warns.</li>
 *   <li>{@code ISPN004007} "Exception encountered. Retry 1 out of 0", with a stack trace, for every
 *       call that finds no server: Sluice retries and fails over by itself and says so once.</li>
 * </ul>
 * Every other Hot Rod message passes, errors the server returns ({@code ISPN004005}) among them.
 * Set {@code QUARKUS_LOG_CONSOLE_FILTER} to nothing to see these two again.
 */
@LoggingFilter(name = HotRodLogFilter.NAME)
public final class HotRodLogFilter implements Filter {

    static final String NAME = "hot-rod-noise";
    private static final String HOT_ROD_LOGGER = "org.infinispan.HOTROD";

    @Override
    public boolean isLoggable(LogRecord record) {
        if (!HOT_ROD_LOGGER.equals(record.getLoggerName())) {
            return true;
        }
        String message = record.getMessage();
        return message == null || !(message.startsWith("ISPN004001") || message.startsWith("ISPN004007"));
    }
}
