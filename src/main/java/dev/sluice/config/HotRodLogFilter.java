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
 *   <li>{@code ISPN004005} "Error received from the server" for a lock not acquired in time
 *       ({@code ISPN000299}), with the server's stack trace, for every call that met a lock still
 *       held by a transaction of a node just killed: Sluice sends those calls again
 *       ({@code SLUICE_STORE_FAILOVER_WINDOW}), and a call that fails for good is the request's 503.</li>
 * </ul>
 * Other errors the server returns pass, cut to their first line: the server's stack trace that Hot Rod
 * puts in the message says nothing more to an operator of Sluice and is in the server's own log.
 * Set {@code QUARKUS_LOG_CONSOLE_FILTER} to nothing to see all of them whole.
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
        if (message == null) {
            return true;
        }
        if (message.startsWith("ISPN004001") || message.startsWith("ISPN004007")) {
            return false;
        }
        if (message.startsWith("ISPN004005")) {
            if (message.contains("ISPN000299")) {
                return false;
            }
            int lineEnd = message.indexOf('\n');
            if (lineEnd > 0) {
                record.setMessage(message.substring(0, lineEnd));
            }
        }
        return true;
    }
}
