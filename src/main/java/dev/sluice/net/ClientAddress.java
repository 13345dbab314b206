package dev.sluice.net;

import java.util.List;

/**
 * Who the client is, as far as a per-IP limit can tell: the connection's peer, unless that peer is a
 * trusted proxy, in which case X-Forwarded-For is read from the right (the entries the trusted proxies
 * appended) past every trusted proxy; the first untrusted address is the client. Entries left of it
 * were written by the client itself and could say anything.
 */
public final class ClientAddress {

    private ClientAddress() {
    }

    /**
     * @param peer          the connection's remote address (literal)
     * @param forwardedFor  the X-Forwarded-For header(s), comma-separated; may be null
     * @param trustedProxies ranges whose X-Forwarded-For is believed
     * @return the client's address as text
     */
    public static String resolve(String peer, List<String> forwardedFor, List<AddressRange> trustedProxies) {
        if (!trusted(peer, trustedProxies) || forwardedFor == null || forwardedFor.isEmpty()) {
            return peer;
        }
        String client = peer;
        for (int h = forwardedFor.size() - 1; h >= 0; h--) {
            String[] hops = forwardedFor.get(h).split(",");
            for (int i = hops.length - 1; i >= 0; i--) {
                String hop = hops[i].strip();
                if (AddressRange.parseLiteral(stripPort(hop)) == null) {
                    return client; // garbage or "unknown": nothing further left can be believed
                }
                client = stripPort(hop);
                if (!trusted(client, trustedProxies)) {
                    return client;
                }
            }
        }
        return client;
    }

    private static boolean trusted(String address, List<AddressRange> trustedProxies) {
        for (AddressRange range : trustedProxies) {
            if (range.contains(address)) {
                return true;
            }
        }
        return false;
    }

    /** {@code 1.2.3.4:5678} → {@code 1.2.3.4}; {@code [::1]:80} → {@code ::1}; bare IPv6 is left alone. */
    private static String stripPort(String hop) {
        if (hop.startsWith("[")) {
            int end = hop.indexOf(']');
            return end > 0 ? hop.substring(1, end) : hop;
        }
        int colon = hop.indexOf(':');
        if (colon >= 0 && colon == hop.lastIndexOf(':')) {
            return hop.substring(0, colon);
        }
        return hop;
    }
}
