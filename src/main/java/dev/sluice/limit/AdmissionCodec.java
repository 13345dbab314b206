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
 * The bytes a shared store sends to the server-side admission task and back: a request's charges
 * with their policies, and the admission. Plain {@link DataOutputStream} fields with a version byte,
 * so that the task (which runs this same class inside the store's server) needs no marshaller.
 */
public final class AdmissionCodec {

    private static final byte VERSION = 1;
    private static final byte ADMITTED = 1;
    private static final byte REFUSED = 0;
    /** More charges than any request has: a guard against garbage input, not a product limit. */
    private static final int MAX_CHARGES = 16;

    private AdmissionCodec() {
    }

    /**
     * @param serverClock the task decides at its own server's time instead of the request's: every
     *                    instance then shares one clock, whatever their own clocks' skew
     */
    public static byte[] encodeRequest(AdmissionRequest request, boolean serverClock) {
        return write(out -> {
            out.writeByte(VERSION);
            out.writeBoolean(serverClock);
            out.writeLong(request.nowNanos());
            out.writeLong(request.maxWaitNanos());
            out.writeByte(request.charges().size());
            for (BucketCharge charge : request.charges()) {
                out.writeUTF(charge.key());
                out.writeLong(charge.policy().capacity());
                out.writeLong(charge.policy().refillRate().tokens());
                out.writeLong(charge.policy().refillRate().periodNanos());
                out.writeLong(charge.tokens());
            }
        });
    }

    /**
     * @param serverNowNanos read only when the request asks for the server's clock
     * @throws IllegalArgumentException for bytes that are not a request of this version
     */
    public static AdmissionRequest decodeRequest(byte[] bytes, LongSupplier serverNowNanos) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            requireVersion(in.readByte());
            boolean serverClock = in.readBoolean();
            long requestNowNanos = in.readLong();
            long maxWaitNanos = in.readLong();
            int count = in.readUnsignedByte();
            if (count < 1 || count > MAX_CHARGES) {
                throw new IllegalArgumentException("an admission request has 1 to " + MAX_CHARGES + " charges, got " + count);
            }
            List<BucketCharge> charges = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                String key = in.readUTF();
                long capacity = in.readLong();
                Rate rate = new Rate(in.readLong(), in.readLong());
                charges.add(new BucketCharge(key, new BucketPolicy(capacity, rate), in.readLong()));
            }
            return new AdmissionRequest(charges, serverClock ? serverNowNanos.getAsLong() : requestNowNanos, maxWaitNanos);
        } catch (IOException e) {
            throw new IllegalArgumentException("truncated admission request", e);
        }
    }

    public static byte[] encodeAdmission(Admission admission) {
        return write(out -> {
            out.writeByte(VERSION);
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
        });
    }

    public static Admission decodeAdmission(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            requireVersion(in.readByte());
            byte kind = in.readByte();
            if (kind == ADMITTED) {
                long waitNanos = in.readLong();
                int count = in.readUnsignedByte();
                List<BucketSnapshot> buckets = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    buckets.add(readSnapshot(in));
                }
                return new Admission.Admitted(waitNanos, buckets);
            }
            if (kind == REFUSED) {
                int chargeIndex = in.readUnsignedByte();
                long retryAfterNanos = in.readLong();
                return new Admission.Refused(chargeIndex, retryAfterNanos, readSnapshot(in));
            }
            throw new IllegalArgumentException("unknown admission kind " + kind);
        } catch (IOException e) {
            throw new IllegalArgumentException("truncated admission", e);
        }
    }

    private static void requireVersion(byte version) {
        if (version != VERSION) {
            throw new IllegalArgumentException("admission wire version " + version + ", expected " + VERSION
                    + ": Sluice and the store's admission task must be the same release");
        }
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
