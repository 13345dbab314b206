package dev.sluice.limit;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The bytes a shared store sends to the server-side tasks and back: a batch of requests' charges with
 * their policies and their admissions; a batch of settlements. Plain {@link DataOutputStream} fields with a version byte,
 * so that the task (which runs this same class inside the store's server) needs no marshaller.
 */
public final class AdmissionCodec {

    private static final byte VERSION = 8;
    private static final byte BUCKET = 0;
    private static final byte QUOTA = 1;
    private static final byte COOLDOWN = 2;
    private static final byte CONCURRENCY = 3;
    private static final byte ADMITTED = 1;
    private static final byte REFUSED = 0;
    /**
     * Most charges in one request, and adjustments in one settlement: more than any request has, a guard
     * against garbage input; a sender with more adjustments splits them.
     */
    public static final int MAX_CHARGES = 16;
    /** Most counters in one settlement; larger batches are split by the sender. */
    public static final int MAX_COUNTERS = 1024;
    /** Most admission requests in one batch. */
    public static final int MAX_BATCH = 256;
    /**
     * Most keys written by one batch of settlements: the largest single settlement. A batch is one
     * transaction that locks them all.
     */
    public static final int MAX_SETTLEMENT_KEYS = MAX_CHARGES + MAX_COUNTERS;

    private AdmissionCodec() {
    }

    /**
     * @param callId      names this call, so that the task can answer a repeated call (the same bytes
     *                    sent again after a failure) with its first answer instead of charging twice;
     *                    at most {@value #MAX_CALL_ID_LENGTH} characters
     * @param requests    decided in this order, as one {@link AdmissionBatch}
     * @param serverClock the task decides at its own server's time instead of the requests': every
     *                    instance then shares one clock, whatever their own clocks' skew
     */
    public static byte[] encodeRequests(String callId, List<AdmissionRequest> requests, boolean serverClock) {
        if (requests.isEmpty() || requests.size() > MAX_BATCH) {
            throw new IllegalArgumentException("a batch has 1 to " + MAX_BATCH + " requests, got " + requests.size());
        }
        requireCallId(callId);
        return write(out -> {
            out.writeByte(VERSION);
            out.writeBoolean(serverClock);
            out.writeUTF(callId);
            out.writeShort(requests.size());
            for (AdmissionRequest request : requests) {
                out.writeLong(request.nowNanos());
                out.writeLong(request.maxWaitNanos());
                out.writeByte(request.charges().size());
                for (BucketCharge charge : request.charges()) {
                    out.writeUTF(charge.key());
                    writePolicy(out, charge.policy());
                    out.writeLong(charge.tokens());
                }
            }
        });
    }

    /**
     * @param serverNowNanos read once, and only when the batch asks for the server's clock: every
     *                       request of the batch is then decided at that moment
     * @throws IllegalArgumentException for bytes that are not a batch of this version
     */
    public static List<AdmissionRequest> decodeRequests(byte[] bytes, LongSupplier serverNowNanos) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            requireVersion(in.readByte());
            boolean serverClock = in.readBoolean();
            requireCallId(in.readUTF());
            int count = in.readUnsignedShort();
            if (count < 1 || count > MAX_BATCH) {
                throw new IllegalArgumentException("expected 1 to " + MAX_BATCH + " requests, got " + count);
            }
            long serverNow = serverClock ? serverNowNanos.getAsLong() : 0;
            List<AdmissionRequest> requests = new ArrayList<>(count);
            for (int r = 0; r < count; r++) {
                long requestNowNanos = in.readLong();
                long maxWaitNanos = in.readLong();
                int charges = readCount(in, 1, "charges");
                List<BucketCharge> list = new ArrayList<>(charges);
                for (int i = 0; i < charges; i++) {
                    list.add(new BucketCharge(in.readUTF(), readPolicy(in), in.readLong()));
                }
                requests.add(new AdmissionRequest(list, serverClock ? serverNow : requestNowNanos, maxWaitNanos));
            }
            return requests;
        } catch (IOException e) {
            throw new IllegalArgumentException("truncated admission request", e);
        }
    }

    /** The call id of {@link #encodeRequests} bytes. */
    public static String decodeCallId(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            requireVersion(in.readByte());
            in.readBoolean();
            return requireCallId(in.readUTF());
        } catch (IOException e) {
            throw new IllegalArgumentException("truncated admission request", e);
        }
    }

    /** Longest call id: a random UUID is 36. */
    public static final int MAX_CALL_ID_LENGTH = 64;

    private static String requireCallId(String callId) {
        if (callId == null || callId.isEmpty() || callId.length() > MAX_CALL_ID_LENGTH) {
            throw new IllegalArgumentException("a call id has 1 to " + MAX_CALL_ID_LENGTH + " characters");
        }
        return callId;
    }

    /**
     * A batch of settlements, applied in this order in one call.
     *
     * @param serverClock as for {@link #encodeRequests}
     */
    public static byte[] encodeSettlements(List<Settlement> settlements, boolean serverClock) {
        int keys = settlements.stream().mapToInt(settlement -> settlement.keys().size()).sum();
        if (settlements.isEmpty() || keys > MAX_SETTLEMENT_KEYS) {
            throw new IllegalArgumentException("a batch has 1 or more settlements of at most " + MAX_SETTLEMENT_KEYS
                    + " keys in all, got " + settlements.size() + " of " + keys);
        }
        return write(out -> {
            out.writeByte(VERSION);
            out.writeBoolean(serverClock);
            out.writeShort(settlements.size());
            for (Settlement settlement : settlements) {
                out.writeLong(settlement.nowNanos());
                out.writeByte(settlement.adjustments().size());
                for (BucketAdjustment adjustment : settlement.adjustments()) {
                    out.writeUTF(adjustment.key());
                    writePolicy(out, adjustment.policy());
                    out.writeLong(adjustment.deltaTokens());
                    out.writeBoolean(adjustment.cap());
                }
                out.writeShort(settlement.counters().size());
                for (CounterIncrement counter : settlement.counters()) {
                    out.writeUTF(counter.key());
                    out.writeLong(counter.amount());
                    out.writeLong(counter.retentionNanos());
                }
            }
        });
    }

    /**
     * @param serverNowNanos read once, and only when the batch asks for the server's clock: every
     *                       settlement of the batch is then applied at that moment
     * @throws IllegalArgumentException for bytes that are not a batch of settlements of this version
     */
    public static List<Settlement> decodeSettlements(byte[] bytes, LongSupplier serverNowNanos) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            requireVersion(in.readByte());
            boolean serverClock = in.readBoolean();
            int count = in.readUnsignedShort();
            if (count < 1 || count > MAX_SETTLEMENT_KEYS) {
                throw new IllegalArgumentException("expected 1 to " + MAX_SETTLEMENT_KEYS + " settlements, got " + count);
            }
            long serverNow = serverClock ? serverNowNanos.getAsLong() : 0;
            List<Settlement> settlements = new ArrayList<>(count);
            int keys = 0;
            for (int s = 0; s < count; s++) {
                long requestNowNanos = in.readLong();
                int adjustmentCount = readCount(in, 0, "adjustments");
                List<BucketAdjustment> adjustments = new ArrayList<>(adjustmentCount);
                for (int i = 0; i < adjustmentCount; i++) {
                    adjustments.add(new BucketAdjustment(in.readUTF(), readPolicy(in), in.readLong(), in.readBoolean()));
                }
                int counterCount = in.readUnsignedShort();
                keys += adjustmentCount + counterCount;
                if (counterCount > MAX_COUNTERS || keys > MAX_SETTLEMENT_KEYS) {
                    throw new IllegalArgumentException("expected at most " + MAX_COUNTERS + " counters a settlement and "
                            + MAX_SETTLEMENT_KEYS + " keys a batch, got " + counterCount + " and " + keys);
                }
                List<CounterIncrement> counters = new ArrayList<>(counterCount);
                for (int i = 0; i < counterCount; i++) {
                    counters.add(new CounterIncrement(in.readUTF(), in.readLong(), in.readLong()));
                }
                settlements.add(new Settlement(adjustments, counters, serverClock ? serverNow : requestNowNanos));
            }
            return settlements;
        } catch (IOException e) {
            throw new IllegalArgumentException("truncated settlement", e);
        }
    }

    public static byte[] encodeAdmissions(List<Admission> admissions) {
        return write(out -> {
            out.writeByte(VERSION);
            out.writeShort(admissions.size());
            for (Admission admission : admissions) {
                if (admission instanceof Admission.Admitted admitted) {
                    out.writeByte(ADMITTED);
                    out.writeLong(admitted.waitNanos());
                    out.writeByte(admitted.buckets().size());
                    for (BucketSnapshot bucket : admitted.buckets()) {
                        writeSnapshot(out, bucket);
                    }
                } else {
                    Admission.Refused refused = (Admission.Refused) admission;
                    out.writeByte(REFUSED);
                    out.writeByte(refused.chargeIndex());
                    out.writeLong(refused.retryAfterNanos());
                    writeSnapshot(out, refused.bucket());
                }
            }
        });
    }

    public static List<Admission> decodeAdmissions(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            requireVersion(in.readByte());
            int count = in.readUnsignedShort();
            List<Admission> admissions = new ArrayList<>(count);
            for (int a = 0; a < count; a++) {
                byte kind = in.readByte();
                if (kind == ADMITTED) {
                    long waitNanos = in.readLong();
                    int buckets = in.readUnsignedByte();
                    List<BucketSnapshot> snapshots = new ArrayList<>(buckets);
                    for (int i = 0; i < buckets; i++) {
                        snapshots.add(readSnapshot(in));
                    }
                    admissions.add(new Admission.Admitted(waitNanos, snapshots));
                } else if (kind == REFUSED) {
                    int chargeIndex = in.readUnsignedByte();
                    long retryAfterNanos = in.readLong();
                    admissions.add(new Admission.Refused(chargeIndex, retryAfterNanos, readSnapshot(in)));
                } else {
                    throw new IllegalArgumentException("unknown admission kind " + kind);
                }
            }
            return admissions;
        } catch (IOException e) {
            throw new IllegalArgumentException("truncated admissions", e);
        }
    }

    private static void requireVersion(byte version) {
        if (version != VERSION) {
            throw new IllegalArgumentException("admission wire version " + version + ", expected " + VERSION
                    + ": Sluice and the store's admission task must be the same release");
        }
    }

    private static void writePolicy(DataOutputStream out, LimitPolicy policy) throws IOException {
        if (policy instanceof BucketPolicy bucket) {
            out.writeByte(BUCKET);
            out.writeLong(bucket.capacity());
            out.writeLong(bucket.refillRate().tokens());
            out.writeLong(bucket.refillRate().periodNanos());
        } else if (policy instanceof QuotaPolicy quota) {
            out.writeByte(QUOTA);
            out.writeLong(quota.limit());
            out.writeLong(quota.windowEndNanos());
        } else if (policy instanceof ConcurrencyPolicy concurrency) {
            out.writeByte(CONCURRENCY);
            out.writeLong(concurrency.maxInFlight());
            out.writeLong(concurrency.leaseNanos());
        } else { // the interface is sealed: a cooldown, which has no parameters
            out.writeByte(COOLDOWN);
        }
    }

    private static LimitPolicy readPolicy(DataInputStream in) throws IOException {
        byte kind = in.readByte();
        return switch (kind) {
            case BUCKET -> new BucketPolicy(in.readLong(), new Rate(in.readLong(), in.readLong()));
            case QUOTA -> new QuotaPolicy(in.readLong(), in.readLong());
            case COOLDOWN -> CooldownPolicy.INSTANCE;
            case CONCURRENCY -> new ConcurrencyPolicy(in.readLong(), in.readLong());
            default -> throw new IllegalArgumentException("unknown limit policy kind " + kind);
        };
    }

    private static int readCount(DataInputStream in, int least, String what) throws IOException {
        int count = in.readUnsignedByte();
        if (count < least || count > MAX_CHARGES) {
            throw new IllegalArgumentException("expected " + least + " to " + MAX_CHARGES + " " + what + ", got " + count);
        }
        return count;
    }

    private static void writeSnapshot(DataOutputStream out, BucketSnapshot bucket) throws IOException {
        out.writeLong(bucket.capacity());
        out.writeLong(bucket.availableTokens());
        out.writeLong(bucket.nanosUntilFull());
    }

    private static BucketSnapshot readSnapshot(DataInputStream in) throws IOException {
        return new BucketSnapshot(in.readLong(), in.readLong(), in.readLong());
    }

    private interface Writer {
        void write(DataOutputStream out) throws IOException;
    }

    private static byte[] write(Writer writer) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            writer.write(out);
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory cannot fail", e);
        }
        return bytes.toByteArray();
    }
}
