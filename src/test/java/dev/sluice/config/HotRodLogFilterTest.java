package dev.sluice.config;

import org.junit.jupiter.api.Test;

import java.util.logging.Level;
import java.util.logging.LogRecord;

import static org.assertj.core.api.Assertions.assertThat;

class HotRodLogFilterTest {

    private final HotRodLogFilter filter = new HotRodLogFilter();

    private static LogRecord hotRod(String message) {
        LogRecord record = new LogRecord(Level.WARNING, message);
        record.setLoggerName("org.infinispan.HOTROD");
        return record;
    }

    @Test
    void dropsWhatSluiceHandlesItself() {
        assertThat(filter.isLoggable(hotRod("ISPN004001: Could not find 'hotrod-client.properties' file in classpath")))
                .isFalse();
        assertThat(filter.isLoggable(hotRod("ISPN004007: Exception encountered. Retry 1 out of 0"))).isFalse();
        assertThat(filter.isLoggable(hotRod("""
                ISPN004005: Error received from the server: org.infinispan.commons.CacheException: ISPN000217: Received exception from node-13, see cause for remote stack trace
                org.infinispan.remoting.RemoteException: ISPN000217: Received exception from node-13, see cause for remote stack trace
                org.infinispan.commons.TimeoutException: ISPN000299: Unable to acquire lock after 400 milliseconds for key x
                \tat org.infinispan.util.concurrent.locks.impl.DefaultLockManager$KeyAwareExtendedLockPromise.get(DefaultLockManager.java:300)""")))
                .as("a lock still held by a killed node's transaction: the call is sent again").isFalse();
    }

    @Test
    void cutsOtherServerErrorsToTheirFirstLine() {
        LogRecord record = hotRod("""
                ISPN004005: Error received from the server: java.lang.IllegalStateException: broken
                \tat dev.sluice.limit.infinispan.AdmitTask.call(AdmitTask.java:80)
                \tat org.infinispan.tasks.TaskManagerImpl.runTask(TaskManagerImpl.java:130)""");
        assertThat(filter.isLoggable(record)).isTrue();
        assertThat(record.getMessage()).isEqualTo("ISPN004005: Error received from the server: java.lang.IllegalStateException: broken");
    }

    @Test
    void passesEverythingElseAsItIs() {
        assertThat(filter.isLoggable(hotRod("ISPN004006: Server sent new topology view"))).isTrue();
        LogRecord sluice = new LogRecord(Level.WARNING, "ISPN004007 mentioned by someone else");
        sluice.setLoggerName("dev.sluice.store");
        assertThat(filter.isLoggable(sluice)).isTrue();
    }
}
