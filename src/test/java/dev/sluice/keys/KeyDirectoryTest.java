package dev.sluice.keys;

import dev.sluice.config.Plan;
import dev.sluice.config.SluiceSettings;
import dev.sluice.config.SluiceSettingsTest;
import dev.sluice.config.StaticKey;
import dev.sluice.limit.BucketPolicy;
import dev.sluice.limit.ConcurrencyPolicy;
import dev.sluice.limit.Rate;
import org.junit.jupiter.api.Test;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KeyDirectoryTest {

    private static final Instant NOW = Instant.parse("2026-12-05T12:00:00Z");
    private static final SluiceSettings SETTINGS = SluiceSettingsTest.fromEnvironment(Map.of(
            "SLUICE_PLANS_BASIC_RATE", "10/m", "SLUICE_PLANS_BASIC_TPM", "5000", "SLUICE_PLANS_BASIC_MODELS", "gpt-4o*"));
    private static final SecureRandom RANDOM = new SecureRandom();

    private static KeyDirectory directory(List<KeyRecord> records, boolean acceptAnyKey) {
        return KeyDirectory.of(records, List.of(new StaticKey("ops", CallerKeys.hash("sk-static-ops"), "basic")), SETTINGS.plans(),
                acceptAnyKey, ZoneOffset.UTC);
    }

    @Test
    void keysAreLongRandomAndOnlyTheirHashIsKept() {
        String key = CallerKeys.generate(RANDOM);

        assertThat(key).startsWith("sk-sluice-").hasSize("sk-sluice-".length() + 43).matches("sk-sluice-[A-Za-z0-9_-]{43}");
        assertThat(CallerKeys.generate(RANDOM)).isNotEqualTo(key);
        assertThat(CallerKeys.hash("abc")).isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assertThat(CallerKeys.newId(RANDOM)).matches("key_[0-9a-f]{24}");
        assertThat(CallerKeys.sameHash(CallerKeys.hash("a"), CallerKeys.hash("a"))).isTrue();
        assertThat(CallerKeys.sameHash(CallerKeys.hash("a"), CallerKeys.hash("b"))).isFalse();
    }

    @Test
    void anIssuedKeyOpensWithItsPlanUntilDisabledOrExpired() {
        String secret = CallerKeys.generate(RANDOM);
        KeyRecord record = KeyRecord.issued("key_1", "billing", "basic", CallerKeys.hash(secret), NOW);

        assertThat(directory(List.of(record), false).lookup(CallerKeys.hash(secret), NOW))
                .isEqualTo(new KeyLookup.Known("key_1", SETTINGS.plans().get("basic")));
        assertThat(directory(List.of(record.withDisabled(true)), false).lookup(CallerKeys.hash(secret), NOW))
                .isEqualTo(new KeyLookup.Refused(KeyLookup.Reason.DISABLED));
        KeyRecord expiring = record.withExpiry(Optional.of(NOW.plusSeconds(60)));
        assertThat(directory(List.of(expiring), false).lookup(CallerKeys.hash(secret), NOW.plusSeconds(59)))
                .isInstanceOf(KeyLookup.Known.class);
        assertThat(directory(List.of(expiring), false).lookup(CallerKeys.hash(secret), NOW.plusSeconds(60)))
                .isEqualTo(new KeyLookup.Refused(KeyLookup.Reason.EXPIRED));
    }

    @Test
    void anUnknownTokenIsRefusedUnlessAnyTokenIsAccepted() {
        String hash = CallerKeys.hash("sk-made-up");

        assertThat(directory(List.of(), false).lookup(hash, NOW)).isEqualTo(new KeyLookup.Refused(KeyLookup.Reason.UNKNOWN));
        assertThat(directory(List.of(), true).lookup(hash, NOW)).isEqualTo(new KeyLookup.Known(hash, SETTINGS.defaultPlan()));
    }

    @Test
    void aKeyFromTheEnvironmentIsKnownByItsName() {
        assertThat(directory(List.of(), false).lookup(CallerKeys.hash("sk-static-ops"), NOW))
                .isEqualTo(new KeyLookup.Known("env-ops", SETTINGS.plans().get("basic")));
    }

    @Test
    void aRotatedKeysOldSecretWorksUntilTheGraceEnds() {
        String old = CallerKeys.generate(RANDOM);
        String fresh = CallerKeys.generate(RANDOM);
        KeyRecord rotated = KeyRecord.issued("key_1", "billing", "basic", CallerKeys.hash(old), NOW)
                .rotated(CallerKeys.hash(fresh), NOW, NOW.plus(Duration.ofHours(1)));
        KeyDirectory keys = directory(List.of(rotated), false);

        assertThat(keys.lookup(CallerKeys.hash(fresh), NOW.plus(Duration.ofHours(2)))).isInstanceOf(KeyLookup.Known.class);
        assertThat(keys.lookup(CallerKeys.hash(old), NOW.plus(Duration.ofMinutes(59)))).isEqualTo(
                new KeyLookup.Known("key_1", SETTINGS.plans().get("basic")));
        assertThat(keys.lookup(CallerKeys.hash(old), NOW.plus(Duration.ofHours(1))))
                .isEqualTo(new KeyLookup.Refused(KeyLookup.Reason.EXPIRED));
        KeyRecord noGrace = KeyRecord.issued("key_2", "x", "basic", CallerKeys.hash(old), NOW).rotated(CallerKeys.hash(fresh), NOW, NOW);
        assertThat(directory(List.of(noGrace), false).lookup(CallerKeys.hash(old), NOW))
                .isEqualTo(new KeyLookup.Refused(KeyLookup.Reason.UNKNOWN));
    }

    @Test
    void overridesReplaceTheirLimitsOnlyAndAVanishedPlanFallsBackToTheDefault() {
        String secret = CallerKeys.generate(RANDOM);
        KeyOverrides overrides = new KeyOverrides(Optional.of(Rate.perSecond(50)), OptionalLong.of(100), OptionalLong.empty(),
                OptionalLong.of(4), OptionalLong.empty(), OptionalLong.of(1_000_000), OptionalLong.empty(), OptionalLong.empty());
        KeyRecord record = KeyRecord.issued("key_1", "big", "basic", CallerKeys.hash(secret), NOW).withOverrides(overrides);

        Plan plan = ((KeyLookup.Known) directory(List.of(record), false).lookup(CallerKeys.hash(secret), NOW)).plan();
        assertThat(plan.requests()).isEqualTo(new BucketPolicy(100, Rate.perSecond(50)));
        assertThat(plan.tokens()).as("the plan's TPM").isEqualTo(SETTINGS.plans().get("basic").tokens());
        assertThat(plan.concurrency()).contains(ConcurrencyPolicy.of(4));
        assertThat(plan.quotas()).singleElement().satisfies(quota -> {
            assertThat(quota.countsTokens()).isTrue();
            assertThat(quota.quota().limit()).isEqualTo(1_000_000);
        });
        assertThat(plan.models()).containsExactly("gpt-4o*");

        KeyRecord orphan = KeyRecord.issued("key_2", "orphan", "gone", CallerKeys.hash(secret), NOW);
        assertThat(((KeyLookup.Known) directory(List.of(orphan), false).lookup(CallerKeys.hash(secret), NOW)).plan())
                .isEqualTo(SETTINGS.defaultPlan());
        assertThatThrownBy(() -> new KeyOverrides(Optional.empty(), OptionalLong.of(0), OptionalLong.empty(), OptionalLong.empty(),
                OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new KeyOverrides(Optional.empty(), OptionalLong.empty(), OptionalLong.empty(),
                OptionalLong.of(Plan.MAX_CONCURRENT + 1), OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty(),
                OptionalLong.empty())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aRecordSurvivesItsStoredForm() {
        KeyRecord record = KeyRecord.issued("key_1", "billing \"team\" ☃", "basic", CallerKeys.hash("x"), NOW)
                .withOverrides(new KeyOverrides(Optional.of(Rate.perMinute(30)), OptionalLong.empty(), OptionalLong.of(9000),
                        OptionalLong.of(3), OptionalLong.of(5), OptionalLong.empty(), OptionalLong.empty(), OptionalLong.of(7)))
                .withExpiry(Optional.of(NOW.plusSeconds(3600)))
                .rotated(CallerKeys.hash("y"), NOW.plusSeconds(10), NOW.plusSeconds(70));

        assertThat(KeyRecordCodec.decode(KeyRecordCodec.encode(record))).isEqualTo(record);
        assertThat(KeyRecordCodec.encode(record)).doesNotContain("\"x\"", "\"y\"");
        assertThatThrownBy(() -> KeyRecordCodec.decode("[]")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> KeyRecordCodec.decode("{\"id\":\"k\"}")).isInstanceOf(IllegalArgumentException.class);
    }
}
