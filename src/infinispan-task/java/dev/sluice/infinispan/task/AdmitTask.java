package dev.sluice.infinispan.task;

import dev.sluice.limit.Admission;
import dev.sluice.limit.AdmissionCodec;
import dev.sluice.limit.AdmissionRequest;
import dev.sluice.limit.BucketCharge;
import jakarta.transaction.Status;
import jakarta.transaction.TransactionManager;
import org.infinispan.AdvancedCache;
import org.infinispan.context.Flag;
import org.infinispan.tasks.ServerTask;
import org.infinispan.tasks.TaskContext;
import org.infinispan.tasks.TaskExecutionMode;
import org.infinispan.tasks.TaskInstantiationMode;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * {@code sluice-admit}: decides one admission request inside the Infinispan server, in one Hot Rod
 * round trip. Parameter {@code request}: {@link AdmissionCodec} bytes; result: the admission's bytes.
 *
 * <p>The keys are locked, all of them and in key order, in a pessimistic transaction before they are
 * read: concurrent executions on any shared key (on this node or, in a cluster, another) wait for each
 * other, so the read-decide-write of {@link AdmissionRequest#decide} is atomic, and a refusal rolls
 * back with nothing written. Each charged bucket is stored with a lifespan that ends when it is full
 * again, so idle callers leave no entry behind.
 */
public final class AdmitTask implements ServerTask<byte[]> {

    public static final String NAME = "sluice-admit";
    /** Kept after a bucket is full again, so a request that read the clock a little late still finds it. */
    private static final long LIFESPAN_MARGIN_MILLIS = 1000;

    // The server shares one instance between threads unless told otherwise: ISOLATED gives each
    // execution its own, so the context below belongs to one call.
    private TaskContext context;

    @Override
    public void setTaskContext(TaskContext taskContext) {
        this.context = taskContext;
    }

    @Override
    public String getName() {
        return NAME;
    }

    @Override
    public Set<String> getParameters() {
        return Set.of("request");
    }

    @Override
    public TaskExecutionMode getExecutionMode() {
        return TaskExecutionMode.ONE_NODE;
    }

    @Override
    public TaskInstantiationMode getInstantiationMode() {
        return TaskInstantiationMode.ISOLATED;
    }

    @Override
    @SuppressWarnings("unchecked")
    public byte[] call() throws Exception {
        Object bytes = context.getParameters().map(parameters -> parameters.get("request")).orElse(null);
        if (!(bytes instanceof byte[] requestBytes)) {
            throw new IllegalArgumentException(NAME + " needs the parameter 'request' as bytes");
        }
        AdvancedCache<String, Long> cache = (AdvancedCache<String, Long>) context.getCache()
                .orElseThrow(() -> new IllegalStateException(NAME + " must be executed on the buckets cache"))
                .getAdvancedCache();
        TransactionManager transactions = cache.getTransactionManager();
        if (transactions == null) {
            throw new IllegalStateException("cache '" + cache.getName() + "' must be transactional (PESSIMISTIC)");
        }
        transactions.begin();
        try {
            List<String> keys = new ArrayList<>();
            for (BucketCharge charge : AdmissionCodec.decodeRequest(requestBytes, () -> 0).charges()) {
                keys.add(charge.key());
            }
            keys.sort(null);
            cache.lock(keys);
            // Decoded again now that the keys are held, so that the server's clock is read after the
            // lock: a decision never uses a time older than the state it decides on.
            AdmissionRequest locked = AdmissionCodec.decodeRequest(requestBytes, AdmitTask::serverNowNanos);
            long[] tatNanos = new long[keys.size()];
            for (int i = 0; i < tatNanos.length; i++) {
                Long stored = cache.get(locked.charges().get(i).key());
                tatNanos[i] = stored == null ? Long.MIN_VALUE : stored;
            }
            AdmissionRequest.Decision decision = locked.decide(tatNanos);
            if (decision.admitted()) {
                AdvancedCache<String, Long> writer = cache.withFlags(Flag.IGNORE_RETURN_VALUES);
                for (int i = 0; i < tatNanos.length; i++) {
                    long tat = decision.chargedTatNanos()[i];
                    long lifespanMillis = TimeUnit.NANOSECONDS.toMillis(Math.max(0, tat - locked.nowNanos()))
                            + LIFESPAN_MARGIN_MILLIS;
                    writer.put(locked.charges().get(i).key(), tat, lifespanMillis, TimeUnit.MILLISECONDS);
                }
                transactions.commit();
            } else {
                transactions.rollback();
            }
            return AdmissionCodec.encodeAdmission(decision.admission());
        } catch (Throwable failure) {
            if (transactions.getStatus() != Status.STATUS_NO_TRANSACTION) {
                transactions.rollback();
            }
            throw failure;
        }
    }

    private static long serverNowNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }
}
