package dev.sluice.net;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClientAddressTest {

    private final List<AddressRange> proxies = List.of(AddressRange.parse("10.0.0.0/8"), AddressRange.parse("fd00::/8"));

    @Test
    void rangesMatchTheirPrefix() {
        assertThat(AddressRange.parse("10.0.0.0/8").contains("10.255.1.2")).isTrue();
        assertThat(AddressRange.parse("10.0.0.0/8").contains("11.0.0.1")).isFalse();
        assertThat(AddressRange.parse("192.168.1.7").contains("192.168.1.7")).isTrue();
        assertThat(AddressRange.parse("192.168.1.7").contains("192.168.1.8")).isFalse();
        assertThat(AddressRange.parse("fd00::/8").contains("[fd12::1]")).isTrue();
        assertThat(AddressRange.parse("fd00::/8").contains("10.0.0.1")).isFalse();
        assertThat(AddressRange.parse("0.0.0.0/0").contains("8.8.8.8")).isTrue();
    }

    @Test
    void onlyLiteralAddressesAreRanges() {
        assertThatThrownBy(() -> AddressRange.parse("proxy.internal")).hasMessageContaining("not an IP address");
        assertThatThrownBy(() -> AddressRange.parse("10.0.0.0/33")).hasMessageContaining("prefix length");
        assertThatThrownBy(() -> AddressRange.parse("10.1")).hasMessageContaining("not an IP address");
        assertThat(AddressRange.parseLiteral("cafe")).isNull(); // hex letters only: a host name, never looked up
    }

    @Test
    void aPeerThatIsNoTrustedProxyIsTheClientWhateverItForwards() {
        assertThat(ClientAddress.resolve("203.0.113.9", List.of("1.2.3.4"), proxies)).isEqualTo("203.0.113.9");
    }

    @Test
    void forwardedForIsReadFromTheRightPastTrustedProxies() {
        // the client wrote "6.6.6.6" itself; the trusted proxies appended 198.51.100.7 and 10.0.0.2
        assertThat(ClientAddress.resolve("10.0.0.1", List.of("6.6.6.6, 198.51.100.7, 10.0.0.2"), proxies))
                .isEqualTo("198.51.100.7");
        assertThat(ClientAddress.resolve("10.0.0.1", List.of("6.6.6.6", "198.51.100.7:4711"), proxies))
                .isEqualTo("198.51.100.7");
        assertThat(ClientAddress.resolve("10.0.0.1", List.of("[2001:db8::1]:443"), proxies)).isEqualTo("2001:db8::1");
    }

    @Test
    void garbageStopsTheWalkAtTheLastAddressThatCouldBeBelieved() {
        assertThat(ClientAddress.resolve("10.0.0.1", List.of("unknown, 10.0.0.3"), proxies)).isEqualTo("10.0.0.3");
        assertThat(ClientAddress.resolve("10.0.0.1", List.of(), proxies)).isEqualTo("10.0.0.1");
        assertThat(ClientAddress.resolve("10.0.0.1", null, proxies)).isEqualTo("10.0.0.1");
    }
}
