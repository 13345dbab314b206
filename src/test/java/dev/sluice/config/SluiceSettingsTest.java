package dev.sluice.config;

import dev.sluice.limit.BucketPolicy;
import dev.sluice.limit.CalendarQuota;
import dev.sluice.limit.ConcurrencyPolicy;
import dev.sluice.limit.Rate;
import dev.sluice.usage.TokenAccounting;
import io.quarkus.runtime.configuration.ConfigurationException;
import io.quarkus.runtime.configuration.DurationConverter;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.runtime.configuration.MemorySizeConverter;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The real config mapping, fed by a map instead of the environment: defaults, and what start-up says to bad values. */
public class SluiceSettingsTest {

    private static SluiceSettings settings(Map<String, String> values) {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withMapping(SluiceConfig.class)
                .withConverter(MemorySize.class, 100, new MemorySizeConverter())
                .withConverter(Duration.class, 100, new DurationConverter())
                .withSources(new PropertiesConfigSource(values, "test", 500))
                .build();
        return SluiceSettings.from(config.getConfigMapping(SluiceConfig.class));
    }

    @Test
    void theDefaultsArePassThroughToOpenAiWithACallerLimitOnly() {
        SluiceSettings settings = settings(Map.of());

        assertThat(settings.upstreams().get(0).url()).isEqualTo(URI.create("https://api.openai.com/v1"));
        assertThat(settings.upstreams().get(0).apiKey()).as("callers' own keys go upstream").isEmpty();
        assertThat(settings.upstreams().get(0).requests()).isEmpty();
        assertThat(settings.defaultPlan().requests()).isEqualTo(new BucketPolicy(5, Rate.perSecond(5)));
        assertThat(settings.plans()).containsOnlyKeys("default");
        assertThat(settings.callers().acceptAnyKey()).as("only issued keys, in managed mode").isFalse();
        assertThat(settings.maxWait()).isZero();
        assertThat(settings.maxBodyBytes()).isEqualTo(4 * 1024 * 1024);
        assertThat(settings.connections().replyTimeout()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void readsEverySetting() {
        SluiceSettings settings = settings(Map.of(
                "sluice.upstream.url", "http://127.0.0.1:9000/v1/",
                "sluice.upstream.api-key", "sk-managed",
                "sluice.upstream.rpm", "600",
                "sluice.caller.rate", "30/m",
                "sluice.caller.burst", "3",
                "sluice.max-wait", "250ms",
                "sluice.max-body", "1M"));

        assertThat(settings.upstreams().get(0).url()).isEqualTo(URI.create("http://127.0.0.1:9000/v1"));
        assertThat(settings.upstreams().get(0).apiKey()).map(Secret::value).contains("sk-managed");
        assertThat(settings.upstreams().get(0).requests()).contains(new BucketPolicy(9, Rate.perMinute(600))); // burst: 90 % of 1 s
        assertThat(settings.defaultPlan().requests()).isEqualTo(new BucketPolicy(3, Rate.perMinute(30)));
        assertThat(settings.maxWait()).isEqualTo(Duration.ofMillis(250));
        assertThat(settings.maxBodyBytes()).isEqualTo(1024 * 1024);
        assertThat(settings.toString()).as("every setting is printed, the key not").doesNotContain("sk-managed")
                .contains("replyTimeout=PT30S", "maxConnections=256", "breaker=Breaker[failures=5, delay=PT5S, callers=2]", "maxCooldown=PT30S");
    }

    @Test
    void tokenLimitsQuotasAndClientIpLimitsAreOffUnlessSet() {
        SluiceSettings settings = settings(Map.of());

        assertThat(settings.upstreams().get(0).tokens()).isEmpty();
        assertThat(settings.defaultPlan().quotas()).isEmpty();
        assertThat(settings.clientIp()).isEmpty();
        assertThat(settings.countsTokens()).isFalse();
        assertThat(settings.defaultMaxTokens()).isEqualTo(1024);
        assertThat(settings.usage()).isEqualTo(new SluiceSettings.Usage(Duration.ofSeconds(5),
                Duration.ofDays(90), java.time.ZoneId.of("UTC")));
    }

    @Test
    void readsTokenLimitsQuotasAndClientIpLimits() {
        SluiceSettings settings = settings(Map.of(
                "sluice.upstream.tpm", "90000",
                "sluice.caller.daily-requests", "1000",
                "sluice.caller.monthly-tokens", "5000000",
                "sluice.quota-zone", "Europe/Paris",
                "sluice.client-ip.rate", "20/s",
                "sluice.client-ip.trusted-proxies", "10.0.0.0/8,192.168.0.1",
                "sluice.default-max-tokens", "256"));

        assertThat(settings.upstreams().get(0).tokens()).contains(new BucketPolicy(89_100, Rate.perMinute(90_000))); // 99 %
        assertThat(settings.upstreams().get(0).tokenAccounting()).isEqualTo(TokenAccounting.REQUEST); // as OpenAI counts
        assertThat(settings.countsTokens()).isTrue();
        assertThat(settings.defaultPlan().quotas()).containsExactly(
                new Plan.Quota(false, new CalendarQuota(1000, CalendarQuota.Period.DAY, ZoneId.of("Europe/Paris"))),
                new Plan.Quota(true, new CalendarQuota(5_000_000, CalendarQuota.Period.MONTH, ZoneId.of("Europe/Paris"))));
        assertThat(settings.clientIp()).hasValueSatisfying(limit -> {
            assertThat(limit.requests()).isEqualTo(new BucketPolicy(20, Rate.perSecond(20)));
            assertThat(limit.trustedProxies()).hasToString("[10.0.0.0/8, 192.168.0.1]");
        });
        assertThat(settings.defaultMaxTokens()).isEqualTo(256);
    }

    @Test
    void reportsBadTokenQuotaAndClientIpSettings() {
        assertThatThrownBy(() -> settings(Map.of(
                "sluice.upstream.token-burst", "10",
                "sluice.caller.daily-tokens", "0",
                "sluice.quota-zone", "Mars/Olympus",
                "sluice.client-ip.rate", "20/s",
                "sluice.client-ip.trusted-proxies", "proxy.internal",
                "sluice.default-max-tokens", "0")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("SLUICE_UPSTREAM_TOKEN_BURST (sluice.upstream.token-burst): is set but SLUICE_UPSTREAM_TPM is not")
                .hasMessageContaining("SLUICE_QUOTA_ZONE (sluice.quota-zone): 'Mars/Olympus' is not a time zone")
                .hasMessageContaining("SLUICE_CLIENT_IP_TRUSTED_PROXIES (sluice.client-ip.trusted-proxies): 'proxy.internal'")
                .hasMessageContaining("SLUICE_DEFAULT_MAX_TOKENS (sluice.default-max-tokens): must be between 1");
        assertThatThrownBy(() -> settings(Map.of("sluice.caller.daily-tokens", "0")))
                .hasMessageContaining("SLUICE_CALLER_DAILY_TOKENS (sluice.caller.daily-tokens): must be at least 1");
    }

    /**
     * The same, fed by environment variables, as a deployment sets them (also checks deploy/ manifests), with
     * the sources Quarkus discovers too: the start-up check ({@link ConfigurationCheck}) runs before the mapping.
     */
    public static SluiceSettings fromEnvironment(Map<String, String> variables) {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .addDiscoveredSources()
                .withMapping(SluiceConfig.class)
                .withConverter(MemorySize.class, 100, new MemorySizeConverter())
                .withConverter(Duration.class, 100, new DurationConverter())
                .withSources(new EnvConfigSource(variables, 300))
                .build();
        return SluiceSettings.from(config.getConfigMapping(SluiceConfig.class), variables);
    }

    @Test
    void aPlanMayUseInferenceAndTheObjectEndpointsUnlessItListsItsPaths() {
        SluiceSettings settings = fromEnvironment(Map.of("SLUICE_PLANS_BATCH_PATHS", "/v1/files,/v1/batches",
                "SLUICE_PLANS_TEAM_RATE", "10/s", "SLUICE_MAX_UPLOAD", "1G"));

        Plan defaults = settings.defaultPlan();
        assertThat(defaults.allowsPath("/v1/responses")).isTrue();
        assertThat(defaults.allowsPath("/v1/files/file-abc/content")).isTrue();
        assertThat(defaults.allowsPath("/v1/fine_tuning/jobs")).isFalse();
        assertThat(defaults.allowsPath("/v1/organization/admin_api_keys")).isFalse();
        assertThat(defaults.allowsPath("/v1/filesystem")).as("a prefix allows what lies below it, not a longer name").isFalse();
        assertThat(settings.plans().get("team").paths()).isEqualTo(defaults.paths());
        Plan batch = settings.plans().get("batch");
        assertThat(batch.allowsPath("/v1/batches/batch_1/cancel")).isTrue();
        assertThat(batch.allowsPath("/v1/chat/completions")).isFalse();
        assertThat(settings.maxUploadBytes()).isEqualTo(1L << 30);
    }

    @Test
    void aPathThatIsNoV1PathIsReported() {
        assertThatThrownBy(() -> fromEnvironment(Map.of("SLUICE_CALLER_PATHS", "/v1/files/,files,/v1/audio/*")))
                .hasMessageContaining("sluice.caller.paths")
                .hasMessageContaining("/v1/files/, files, /v1/audio/*");
    }

    @Test
    void aPlansGuardsAreReadAndANamedPlanInheritsTheDefaultPlans(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path rules = dir.resolve("deny.rules");
        java.nio.file.Files.writeString(rules, "codename: \"Nightjar\"\n");
        SluiceSettings settings = fromEnvironment(Map.of("SLUICE_CALLER_DUPLICATE_RATE", "3/m", "SLUICE_CALLER_DENY_FILE", rules.toString(),
                "SLUICE_CALLER_MAX_PROMPT_TOKENS", "8000", "SLUICE_PLANS_TEAM_RATE", "10/s", "SLUICE_PLANS_BULK_MAX_PROMPT_TOKENS", "100000"));

        Plan.Guards defaults = settings.defaultPlan().guards();
        assertThat(defaults.duplicates()).hasValueSatisfying(bucket -> assertThat(bucket.capacity()).isEqualTo(3));
        assertThat(defaults.denyRules().rules()).extracting(rule -> rule.name()).containsExactly("codename");
        assertThat(defaults.maxPromptTokens()).hasValue(8000);
        assertThat(settings.plans().get("team").guards()).isEqualTo(defaults);
        assertThat(settings.plans().get("bulk").guards().maxPromptTokens()).hasValue(100_000);
        assertThat(settings.plans().get("bulk").guards().denyRules()).isSameAs(defaults.denyRules());
        assertThat(settings.defaultPlan().countsTokens()).as("the prompt is counted to hold it to its limit").isTrue();
    }

    @Test
    void badGuardsAreReportedByTheirVariables() {
        assertThatThrownBy(() -> fromEnvironment(Map.of("SLUICE_CALLER_DUPLICATE_RATE", "often", "SLUICE_CALLER_DENY_FILE",
                "/nonexistent/deny.rules", "SLUICE_CALLER_MAX_PROMPT_TOKENS", "0")))
                .hasMessageContaining("SLUICE_CALLER_DUPLICATE_RATE")
                .hasMessageContaining("SLUICE_CALLER_DENY_FILE").hasMessageContaining("cannot read /nonexistent/deny.rules")
                .hasMessageContaining("SLUICE_CALLER_MAX_PROMPT_TOKENS");
    }

    @Test
    void anUpstreamVariableThatNamesNoUpstreamIsReportedNotIgnored() {
        // in a variable's name an underscore cannot tell where the upstream's name ends
        assertThatThrownBy(() -> fromEnvironment(Map.of("SLUICE_UPSTREAMS_AZURE_EAST_URL", "https://east.example.com/v1",
                "SLUICE_UPSTREAMS_PRIMARY_URL", "https://api.openai.com/v1",
                "SLUICE_UPSTREAMS_PRIMARY_RPN", "600")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("SLUICE_UPSTREAMS_AZURE_EAST_URL: not understood; <NAME> in SLUICE_UPSTREAMS_<NAME>_URL is "
                        + "letters and digits")
                .hasMessageContaining("SLUICE_UPSTREAMS_PRIMARY_RPN: not a Sluice setting; did you mean SLUICE_UPSTREAMS_PRIMARY_RPM?");
    }

    @Test
    void namedUpstreamsComeFromEnvironmentVariables() {
        SluiceSettings settings = fromEnvironment(Map.ofEntries(
                Map.entry("SLUICE_UPSTREAMS_PRIMARY_URL", "https://api.openai.com/v1"),
                Map.entry("SLUICE_UPSTREAMS_PRIMARY_API_KEY", "sk-primary"),
                Map.entry("SLUICE_UPSTREAMS_PRIMARY_RPM", "600"),
                Map.entry("SLUICE_UPSTREAMS_PRIMARY_TPM", "90000"),
                Map.entry("SLUICE_UPSTREAMS_PRIMARY_WEIGHT", "3"),
                Map.entry("SLUICE_UPSTREAMS_AZUREEAST_URL", "https://east.example.com/openai/v1/"),
                Map.entry("SLUICE_UPSTREAMS_AZUREEAST_API_KEY", "sk-east"),
                Map.entry("SLUICE_UPSTREAMS_AZUREEAST_MODELS", "gpt-4o,gpt-4.1*"),
                Map.entry("SLUICE_UPSTREAMS_AZUREEAST_PROXY", "http://egress:s3cret@proxy.internal:3128")));

        assertThat(settings.upstreams()).extracting(UpstreamSettings::name).containsExactly("azureeast", "primary");
        UpstreamSettings east = settings.upstreams().get(0);
        UpstreamSettings primary = settings.upstreams().get(1);
        assertThat(primary.url()).isEqualTo(URI.create("https://api.openai.com/v1"));
        assertThat(primary.apiKey()).map(Secret::value).contains("sk-primary");
        assertThat(primary.requests()).contains(new BucketPolicy(9, Rate.perMinute(600)));
        assertThat(primary.tokens()).contains(new BucketPolicy(89_100, Rate.perMinute(90_000)));
        assertThat(primary.weight()).isEqualTo(3);
        assertThat(primary.serves("anything")).isTrue();
        assertThat(east.url()).isEqualTo(URI.create("https://east.example.com/openai/v1"));
        assertThat(east.requests()).isEmpty();
        assertThat(east.weight()).isEqualTo(1);
        assertThat(east.serves("gpt-4o")).isTrue();
        assertThat(east.serves("gpt-4.1-mini")).isTrue();
        assertThat(east.serves("gpt-4o-mini")).isFalse();
        assertThat(east.proxy()).contains(new UpstreamSettings.Proxy("proxy.internal", 3128, Optional.of("egress"),
                Optional.of(new Secret("s3cret"))));
        assertThat(settings.upstreams().get(0).apiKey()).as("managed mode: Sluice's own key").isPresent();
        assertThat(settings.toString()).doesNotContain("sk-primary", "sk-east", "s3cret");
        assertThat(UpstreamSettings.withoutUserInfo(URI.create("https://user:pw@example.com:8443/v1")))
                .isEqualTo("https://example.com:8443/v1");
    }

    @Test
    void theShorthandIsTheUpstreamNamedDefault() {
        SluiceSettings settings = settings(Map.of("sluice.upstream.url", "http://127.0.0.1:9000/v1",
                "sluice.upstream.proxy", "http://proxy.internal:3128"));

        assertThat(settings.upstreams()).singleElement().satisfies(upstream -> {
            assertThat(upstream.name()).isEqualTo("default");
            assertThat(upstream.proxy()).contains(new UpstreamSettings.Proxy("proxy.internal", 3128, Optional.empty(),
                    Optional.empty()));
            assertThat(upstream.serves("gpt-4o")).isTrue();
        });
    }

    @Test
    void reportsBadNamedUpstreams() {
        assertThatThrownBy(() -> settings(Map.of(
                "sluice.upstream.api-key", "sk-shorthand",
                "sluice.upstreams.a.url", "http://127.0.0.1:9001/v1",
                "sluice.upstreams.a.api-key", "sk-a",
                "sluice.upstreams.a.weight", "0",
                "sluice.upstreams.a.proxy", "socks5://proxy:1080",
                "sluice.upstreams.b.api-key", "sk-b",
                "sluice.upstreams.c.url", "http://127.0.0.1:9003/v1")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("SLUICE_UPSTREAM_API_KEY (sluice.upstream.api-key): describes the one upstream")
                .hasMessageContaining("SLUICE_UPSTREAMS_A_WEIGHT (sluice.upstreams.a.weight): must be between 1 and 1000")
                .hasMessageContaining("SLUICE_UPSTREAMS_A_PROXY (sluice.upstreams.a.proxy): must be http://host:port")
                .hasMessageContaining("SLUICE_UPSTREAMS_B_URL (sluice.upstreams.b.url): is required")
                .hasMessageContaining("set it on every upstream (managed mode) or on none")
                .hasMessageNotContaining("sk-a")
                .hasMessageNotContaining("sk-shorthand");
    }

    @Test
    void eachUpstreamSaysHowItsTokenLimitIsCountedAndOnlyWithATokenLimit() {
        SluiceSettings settings = settings(Map.of(
                "sluice.upstreams.openai.url", "https://api.openai.com/v1",
                "sluice.upstreams.openai.tpm", "90000",
                "sluice.upstreams.vllm.url", "http://10.0.0.5:8000/v1",
                "sluice.upstreams.vllm.tpm", "500000",
                "sluice.upstreams.vllm.token-accounting", "usage"));

        assertThat(settings.upstreams()).extracting(UpstreamSettings::tokenAccounting)
                .containsExactly(TokenAccounting.REQUEST, TokenAccounting.USAGE);
        assertThat(settings.upstreams().get(1).toString()).contains("counted by usage");
        assertThat(settings(Map.of("sluice.upstream.tpm", "1000", "sluice.upstream.token-accounting", "usage"))
                .upstreams().get(0).tokenAccounting()).isEqualTo(TokenAccounting.USAGE);
        assertThatThrownBy(() -> settings(Map.of("sluice.upstream.token-accounting", "usage")))
                .hasMessageContaining("SLUICE_UPSTREAM_TOKEN_ACCOUNTING (sluice.upstream.token-accounting): is set but "
                        + "SLUICE_UPSTREAM_TPM is not");
        assertThatThrownBy(() -> settings(Map.of("sluice.upstream.token-accounting", "usage",
                "sluice.upstreams.a.url", "http://127.0.0.1:9001/v1")))
                .hasMessageContaining("SLUICE_UPSTREAM_TOKEN_ACCOUNTING (sluice.upstream.token-accounting): describes the one upstream");
    }

    @Test
    void theInfinispanStoreWithoutItsServersIsAStartUpErrorNamingTheVariable() {
        assertThatThrownBy(() -> settings(Map.of("sluice.store", "infinispan")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("QUARKUS_INFINISPAN_CLIENT_HOSTS (quarkus.infinispan-client.hosts): SLUICE_STORE=infinispan "
                        + "needs the Infinispan servers");
        assertThat(fromEnvironment(Map.of("SLUICE_STORE", "infinispan", "QUARKUS_INFINISPAN_CLIENT_HOSTS", "127.0.0.1:11222"))
                .store().kind()).isEqualTo(StoreKind.INFINISPAN);
    }

    @Test
    void aSmallRpmStillHasABurstOfOne() {
        assertThat(settings(Map.of("sluice.upstream.rpm", "30")).upstreams().get(0).requests())
                .contains(new BucketPolicy(1, Rate.perMinute(30)));
        assertThat(settings(Map.of("sluice.upstream.rpm", "600", "sluice.upstream.burst", "50")).upstreams().get(0).requests())
                .contains(new BucketPolicy(50, Rate.perMinute(600)));
    }

    @Test
    void reportsEveryBadValueNamingItsEnvironmentVariable() {
        assertThatThrownBy(() -> settings(Map.of(
                "sluice.upstream.url", "ftp://example.com",
                "sluice.upstream.rpm", "0",
                "sluice.caller.rate", "5/fortnight",
                "sluice.max-wait", "2h",
                "sluice.upstream.timeout", "0s")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("SLUICE_UPSTREAM_URL (sluice.upstream.url): 'ftp://example.com' is not an http(s) URL")
                .hasMessageContaining("SLUICE_UPSTREAM_RPM (sluice.upstream.rpm): must be at least 1, got 0")
                .hasMessageContaining("SLUICE_CALLER_RATE (sluice.caller.rate): '5/fortnight' has an unknown unit")
                .hasMessageContaining("SLUICE_MAX_WAIT (sluice.max-wait): must be between 0s and 1h, got 2h")
                .hasMessageContaining("SLUICE_UPSTREAM_TIMEOUT (sluice.upstream.timeout): must be positive, got 0s");
    }

    @Test
    void aBurstNeedsARate() {
        assertThatThrownBy(() -> settings(Map.of("sluice.upstream.burst", "5")))
                .hasMessageContaining("SLUICE_UPSTREAM_BURST (sluice.upstream.burst): is set but SLUICE_UPSTREAM_RPM is not");
        assertThatThrownBy(() -> settings(Map.of("sluice.caller.burst", "0")))
                .hasMessageContaining("SLUICE_CALLER_BURST (sluice.caller.burst): must be at least 1, got 0");
    }

    @Test
    void turnsPropertyNamesIntoEnvironmentVariables() {
        assertThat(SluiceSettings.envName("sluice.upstream.api-key")).isEqualTo("SLUICE_UPSTREAM_API_KEY");
    }

    @Test
    void durationsInMessagesAreWrittenAsTheSettingsAre() {
        assertThat(Problems.readable(Duration.ZERO)).isEqualTo("0s");
        assertThat(Problems.readable(Duration.ofHours(2))).isEqualTo("2h");
        assertThat(Problems.readable(Duration.ofMinutes(90))).isEqualTo("90m");
        assertThat(Problems.readable(Duration.ofSeconds(30))).isEqualTo("30s");
        assertThat(Problems.readable(Duration.ofMillis(250))).isEqualTo("250ms");
        assertThat(Problems.readable(Duration.ofNanos(1500))).isEqualTo("PT0.0000015S");
        assertThat(Problems.readable(Duration.ofSeconds(-1))).isEqualTo("-1s");
    }

    @Test
    void aSecretIsNeverPrintedAndDefaultBurstsAreDeclaredOnce() {
        assertThat(new Secret("sk-x")).hasToString("[secret]");
        assertThat(new UpstreamSettings.Proxy("p", 3128, Optional.of("u"), Optional.of(new Secret("pw"))).toString())
                .doesNotContain("pw");
        assertThat(UpstreamSettings.defaultRequestsBurst(600)).as("90 %% of a second's worth").isEqualTo(9);
        assertThat(UpstreamSettings.defaultRequestsBurst(3)).as("at least 1").isEqualTo(1);
        assertThat(UpstreamSettings.defaultTokensBurst(90_000)).as("99 %% of a minute's worth").isEqualTo(89_100);
    }

    @Test
    void plansAndKeysComeFromTheEnvironmentAndPinningByTokenHashIsGone() {
        SluiceSettings settings = fromEnvironment(Map.of("SLUICE_PLANS_TEAM_RATE", "20/s", "SLUICE_PLANS_TEAM_TPM", "9000",
                "SLUICE_PLANS_TEAM_MAX_CONCURRENT", "8", "SLUICE_CALLER_MAX_CONCURRENT", "2",
                "SLUICE_PLANS_TEAM_MODELS", "gpt-4o*", "SLUICE_KEYS_OPS_SHA256", "A".repeat(64), "SLUICE_KEYS_OPS_PLAN", "Team"));

        Plan team = settings.plans().get("team");
        assertThat(team.requests()).as("the default plan's burst").isEqualTo(new BucketPolicy(5, Rate.perSecond(20)));
        assertThat(team.tokens()).contains(new BucketPolicy(9000, Rate.perMinute(9000)));
        assertThat(team.concurrency()).contains(ConcurrencyPolicy.of(8));
        assertThat(settings.defaultPlan().concurrency()).contains(ConcurrencyPolicy.of(2));
        assertThat(team.allowsModel("gpt-4o-mini")).isTrue();
        assertThat(team.allowsModel("gpt-4.1")).isFalse();
        assertThat(settings.callers().staticKeys()).containsExactly(new StaticKey("ops", "a".repeat(64), "team"));
        assertThat(settings.countsTokens()).isTrue();

        assertThatThrownBy(() -> fromEnvironment(Map.of("SLUICE_KEYS_OPS_SHA256", "not-a-hash", "SLUICE_KEYS_DEV_SHA256", "b".repeat(64),
                "SLUICE_KEYS_DEV_PLAN", "nope", "SLUICE_PLANS_X_UPSTREAMS", "elsewhere", "SLUICE_PLANS_Y_MAX_CONCURRENT", "0",
                "SLUICE_UPSTREAMS_A_URL", "http://127.0.0.1:9/v1", "SLUICE_UPSTREAMS_A_CALLERS", "3f9a1c2b4d5e")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("SLUICE_KEYS_OPS_SHA256 (sluice.keys.ops.sha256): must be the key's SHA-256")
                .hasMessageContaining("SLUICE_KEYS_DEV_PLAN (sluice.keys.dev.plan): no plan is named 'nope'")
                .hasMessageContaining("SLUICE_PLANS_X_UPSTREAMS (sluice.plans.x.upstreams): no upstream is named elsewhere")
                .hasMessageContaining("SLUICE_PLANS_Y_MAX_CONCURRENT (sluice.plans.y.max-concurrent): must be between 1 and 100000, got 0")
                .hasMessageContaining("SLUICE_UPSTREAMS_A_CALLERS: callers are no longer pinned to upstreams by token hash");
    }
}
