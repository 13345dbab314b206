package dev.sluice.infinispan.task;

import dev.sluice.limit.AdmissionCodec;
import dev.sluice.limit.AdmissionRequest;
import dev.sluice.limit.BucketCharge;
import dev.sluice.limit.LimitPolicy;
import org.infinispan.tasks.ServerTask;
import org.infinispan.tasks.TaskContext;
import org.infinispan.tasks.TaskExecutionMode;
import org.infinispan.tasks.TaskInstantiationMode;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code sluice-admit}: decides one admission request inside the Infinispan server, in one Hot Rod
 * round trip. Parameter {@code request}: {@link AdmissionCodec} bytes; result: the admission's bytes.
 *
 * <p>The request's keys are locked ({@link LockedBuckets}) before they are read, so the
 * read-decide-write of {@link AdmissionRequest#decide} is atomic, and a refusal rolls back with
 * nothing written. Each charged key is stored with its policy's retention as lifespan, so idle
 * callers leave no entry behind.
 */
public final class AdmitTask implements ServerTask<byte[]> {

    public static final String NAME = "sluice-admit";

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
    public byte[] call() throws Exception {
        byte[] requestBytes = LockedBuckets.requestBytes(context, NAME);
        List<String> keys = new ArrayList<>();
        for (BucketCharge charge : AdmissionCodec.decodeRequest(requestBytes, () -> 0).charges()) {
            keys.add(charge.key());
        }
        try (LockedBuckets buckets = LockedBuckets.lock(context, NAME, keys)) {
            // Decoded again now that the keys are held, so that the server's clock is read after the
            // lock: a decision never uses a time older than the state it decides on.
            AdmissionRequest locked = AdmissionCodec.decodeRequest(requestBytes, LockedBuckets::serverNowNanos);
            long[] states = new long[keys.size()];
            for (int i = 0; i < states.length; i++) {
                states[i] = buckets.get(locked.charges().get(i).key(), LimitPolicy.MISSING);
            }
            AdmissionRequest.Decision decision = locked.decide(states);
            if (decision.admitted()) {
                for (int i = 0; i < states.length; i++) {
                    BucketCharge charge = locked.charges().get(i);
                    long state = decision.chargedStates()[i];
                    buckets.put(charge.key(), state, charge.policy().retentionNanos(state, locked.nowNanos()));
                }
                buckets.commit();
            }
            return AdmissionCodec.encodeAdmission(decision.admission());
        }
    }
}
