package dev.sluice.infinispan.task;

import dev.sluice.limit.AdmissionBatch;
import dev.sluice.limit.AdmissionCodec;
import dev.sluice.limit.AdmissionRequest;
import dev.sluice.limit.LimitPolicy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code sluice-admit}: decides a batch of admission requests inside the Infinispan server, in one
 * Hot Rod round trip. Parameter {@code request}: {@link AdmissionCodec#encodeRequests} bytes; result:
 * the admissions' bytes, in request order.
 *
 * <p>Every key of the batch is locked ({@link LockedBuckets}) before it is read, so the
 * read-decide-write of {@link AdmissionBatch#decide} is atomic, and a batch that admits nothing rolls
 * back with nothing written. Each charged key is stored with its policy's retention as lifespan, so idle
 * callers leave no entry behind.
 *
 * <p>Idempotent: the answer of a batch that charged anything is stored, in the same transaction, under
 * its call id for {@link #ANSWER_LIFESPAN_MILLIS}, and that key is locked with the others. A call sent
 * again (its node died, or it timed out, before the client heard back) waits for the first execution
 * if that still runs, then answers what the first one decided, charging nothing twice. The cache's
 * second owner holds the answer as it holds the buckets, so losing a node loses neither.
 */
public final class AdmitTask extends SluiceTask<byte[]> {

    public static final String NAME = "sluice-admit";
    /** Where a call's answer is kept: {@code admission:<call id>}. */
    static final String ANSWER_KEY_PREFIX = "admission:";
    /** Far longer than a client goes on retrying one call. */
    static final long ANSWER_LIFESPAN_MILLIS = TimeUnit.MINUTES.toMillis(1);

    public AdmitTask() {
        super(NAME);
    }

    @Override
    public byte[] call() throws Exception {
        byte[] requestBytes = requestBytes();
        String answerKey = ANSWER_KEY_PREFIX + AdmissionCodec.decodeCallId(requestBytes);
        List<String> keys = new ArrayList<>(AdmissionBatch.keys(AdmissionCodec.decodeRequests(requestBytes, () -> 0)));
        keys.add(answerKey);
        try (LockedBuckets buckets = LockedBuckets.lock(context(), NAME, keys)) {
            byte[] earlier = buckets.answer(answerKey);
            if (earlier != null) {
                return earlier; // decided and committed before: the same answer, nothing charged twice
            }
            // Decoded again now that the keys are held, so that the server's clock is read after the
            // lock: a decision never uses a time older than the state it decides on.
            List<AdmissionRequest> requests = AdmissionCodec.decodeRequests(requestBytes, LockedBuckets::serverNowNanos);
            Map<String, Long> states = new HashMap<>();
            for (String key : keys.subList(0, keys.size() - 1)) {
                states.put(key, buckets.get(key, LimitPolicy.MISSING));
            }
            AdmissionBatch.Result result = AdmissionBatch.decide(requests, states);
            byte[] answer = AdmissionCodec.encodeAdmissions(result.admissions());
            if (!result.changed().isEmpty()) {
                long now = requests.get(0).nowNanos();
                for (Map.Entry<String, LimitPolicy> key : result.changed().entrySet()) {
                    long state = states.get(key.getKey());
                    buckets.put(key.getKey(), state, key.getValue().retentionNanos(state, now));
                }
                buckets.putAnswer(answerKey, answer, ANSWER_LIFESPAN_MILLIS);
                buckets.commit();
            }
            return answer;
        }
    }
}
