package dev.sluice.net;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Locale;

/**
 * An IP address or CIDR range, e.g. {@code 10.0.0.0/8}, {@code 192.168.1.7}, {@code fd00::/8}. Only
 * literal addresses are accepted: a host name would need DNS, which a trust decision must not depend on.
 */
public final class AddressRange {

    private final byte[] network;
    private final int prefixBits;
    private final String text;

    private AddressRange(byte[] network, int prefixBits, String text) {
        this.network = network;
        this.prefixBits = prefixBits;
        this.text = text;
    }

    /** @throws IllegalArgumentException saying what is wrong with {@code text} */
    public static AddressRange parse(String text) {
        String trimmed = text == null ? "" : text.strip();
        int slash = trimmed.indexOf('/');
        String addressText = slash < 0 ? trimmed : trimmed.substring(0, slash);
        byte[] address = parseLiteral(addressText);
        if (address == null) {
            throw new IllegalArgumentException("'" + text + "' is not an IP address or CIDR range, e.g. 10.0.0.0/8");
        }
        int bits = address.length * 8;
        int prefix = bits;
        if (slash >= 0) {
            try {
                prefix = Integer.parseInt(trimmed.substring(slash + 1));
            } catch (NumberFormatException e) {
                prefix = -1;
            }
            if (prefix < 0 || prefix > bits) {
                throw new IllegalArgumentException("'" + text + "' has a prefix length outside 0.." + bits);
            }
        }
        return new AddressRange(mask(address, prefix), prefix, trimmed.toLowerCase(Locale.ROOT));
    }

    /** Whether {@code addressText} (a literal address; IPv6 may be in brackets) lies in this range. */
    public boolean contains(String addressText) {
        byte[] address = parseLiteral(addressText);
        return address != null && address.length == network.length && Arrays.equals(mask(address, prefixBits), network);
    }

    /**
     * The bytes of a literal IPv4 or IPv6 address, IPv4-mapped IPv6 turned into IPv4; {@code null}
     * for anything else, including host names (checked before InetAddress could resolve them).
     */
    public static byte[] parseLiteral(String text) {
        if (text == null) {
            return null;
        }
        String literal = text.strip();
        if (literal.startsWith("[") && literal.endsWith("]")) {
            literal = literal.substring(1, literal.length() - 1);
        }
        int zone = literal.indexOf('%');
        if (zone >= 0) {
            literal = literal.substring(0, zone);
        }
        if (literal.isEmpty() || !literal.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == '.' || c == ':')) {
            return null;
        }
        boolean ipv6 = literal.indexOf(':') >= 0;
        if (!ipv6 && !literal.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
            return null; // InetAddress would also accept forms like "1" or "1.2", and hex-only text is a name
        }
        try {
            return InetAddress.getByName(literal).getAddress();
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static byte[] mask(byte[] address, int prefixBits) {
        byte[] masked = address.clone();
        for (int i = 0; i < masked.length; i++) {
            int keep = Math.max(0, Math.min(8, prefixBits - i * 8));
            masked[i] &= (byte) (0xFF << (8 - keep));
        }
        return masked;
    }

    @Override
    public String toString() {
        return text;
    }
}
