package dev.sluice.infinispan.task;

import dev.sluice.limit.AdmissionBatch;
import dev.sluice.limit.AdmissionCodec;
import dev.sluice.limit.AdmissionRequest;
import dev.sluice.limit.LimitPolicy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code sluice-admit}: decides a batch of admission requests inside the Infinispan server, in one
 * Hot Rod round trip. Parameter {@code request}: {@link AdmissionCodec#encodeRequests} bytes; result:
 * the admissions' bytes, in request order.
 *
 * <p>Every key of the batch is locked ({@link LockedBuckets}) before it is read, so the
 * read-decide-write of {@link AdmissionBatch#decide} is atomic, and a batch that admits nothing rolls
 * back with nothing written. Each charged key is stored with its policy's retention as lifespan, so idle
 * callers leave no entry behind.
 */
public final class AdmitTask extends SluiceTask<byte[]> {

    public static final String NAME = "sluice-admit";

    public AdmitTask() {
        super(NAME);
    }

    @Override
    public byte[] call() throws Exception {
        byte[] requestBytes = requestBytes();
        List<String> keys = AdmissionBatch.keys(AdmissionCodec.decodeRequests(requestBytes, () -> 0));
        try (LockedBuckets buckets = LockedBuckets.lock(context(), NAME, keys)) {
            // Decoded again now that the keys are held, so that the server's clock is read after the
            // lock: a decision never uses a time older than the state it decides on.
            List<AdmissionRequest> requests = AdmissionCodec.decodeRequests(requestBytes, LockedBuckets::serverNowNanos);
            Map<String, Long> states = new HashMap<>();
            for (String key : keys) {
                states.put(key, buckets.get(key, LimitPolicy.MISSING));
            }
            AdmissionBatch.Result result = AdmissionBatch.decide(requests, states);
            if (!result.changed().isEmpty()) {
                long now = requests.get(0).nowNanos();
                for (Map.Entry<String, LimitPolicy> key : result.changed().entrySet()) {
                    long state = states.get(key.getKey());
                    buckets.put(key.getKey(), state, key.getValue().retentionNanos(state, now));
                }
                buckets.commit();
            }
            return AdmissionCodec.encodeAdmissions(result.admissions());
        }
    }
}
