package dev.sluice.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.admission.AdmissionPlan;
import dev.sluice.admission.LimitScope;
import dev.sluice.admission.ScopedCharge;
import dev.sluice.config.SluiceSettings;
import dev.sluice.config.StaticKey;
import dev.sluice.config.UpstreamSettings;
import dev.sluice.keys.KeyRegistry;
import dev.sluice.ledger.Period;
import dev.sluice.ledger.UsageQuery;
import dev.sluice.ledger.UsageReport;
import dev.sluice.ledger.UsageRow;
import dev.sluice.limit.BucketSnapshot;
import dev.sluice.limit.LimitPolicy;
import dev.sluice.limit.RateLimiter;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import org.jboss.resteasy.reactive.RestResponse;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * What keys used, read from the usage ledger (counters the instances flush to the store every
 * {@code SLUICE_USAGE_FLUSH_INTERVAL}): the admin's view of every key and upstream
 * ({@code GET /admin/v1/usage}, JSON or CSV, on {@link AdminResource}), and a caller's view of its own key
 * ({@code GET /sluice/v1/usage}, {@link SluiceResource}).
 */
@ApplicationScoped
public class UsageViews {

    /** Counters per store read: one getAll each. */
    private static final int READ_BATCH = 1000;
    private static final String CSV = "text/csv";

    private final SluiceSettings settings;
    private final KeyRegistry registry;
    private final Callers callers;
    private final RateLimiter limiter;
    private final UsageCounters usage;
    private final ObjectMapper mapper;

    @Inject
    public UsageViews(SluiceSettings settings, KeyRegistry registry, Callers callers, RateLimiter limiter,
            UsageCounters usage, ObjectMapper mapper) {
        this.settings = settings;
        this.registry = registry;
        this.callers = callers;
        this.limiter = limiter;
        this.usage = usage;
        this.mapper = mapper;
    }

    /** The admin's rows; the caller checked the admin token. */
    public Uni<RestResponse<String>> usage(HttpHeaders headers, String key, String upstream, String from, String to,
            String granularity) {
        UsageQuery query;
        try {
            query = UsageQuery.parse(key, upstream, from, to, granularity, upstreamNames(), LocalDate.parse(usage.today()));
        } catch (UsageQuery.Invalid invalid) {
            throw GatewayException.invalidRequest(400, invalid.getMessage(), invalid.param(), "invalid_value");
        }
        List<String> keyIds = query.key().map(List::of).orElseGet(this::knownKeyIds);
        List<String> upstreams = query.upstream().map(List::of).orElseGet(() -> new ArrayList<>(upstreamNames()));
        UsageReport report = new UsageReport(keyIds, query.periods(), upstreams, scopes());
        boolean csv = wantsCsv(headers);
        return AdminResource.stored(read(report.seenKeys())
                .thenCompose(markers -> {
                    List<UsageReport.Seen> seen = report.seen(markers);
                    return read(report.detailKeys(seen)).thenApply(values -> report.rows(seen, values, query.upstream().isEmpty()));
                }))
                .map(rows -> csv ? RestResponse.ResponseBuilder.ok(csv(rows), CSV).build()
                        : RestResponse.ResponseBuilder.ok(json(query, rows), MediaType.APPLICATION_JSON).build());
    }

    /** The caller's own key: its plan, what is left in each of its limits now, and its usage today and this month. */
    public Uni<RestResponse<String>> ownUsage(HttpHeaders headers) {
        CallerIdentity caller = callers.identify(headers.getHeaderString(HttpHeaders.AUTHORIZATION));
        long now = limiter.nowNanos();
        List<ScopedCharge> limits = AdmissionPlan.callerLimits(caller.plan(), caller.id(), now);
        LocalDate today = LocalDate.parse(usage.today());
        List<Period> month = Period.between(today.withDayOfMonth(1), today, Period.Granularity.DAY);
        UsageReport report = new UsageReport(List.of(caller.id()), month, new ArrayList<>(upstreamNames()), scopes());
        List<String> limitKeys = limits.stream().map(limit -> limit.charge().key()).toList();
        List<UsageReport.Seen> days = month.stream().map(day -> new UsageReport.Seen(caller.id(), day)).toList();
        return AdminResource.stored(read(limitKeys).thenCombine(read(report.detailKeys(days)), (states, values) -> {
            List<UsageRow> rows = report.rows(days, values, true);
            ObjectNode view = mapper.createObjectNode().put("object", "usage").put("key", caller.id()).put("plan", caller.plan().name());
            ArrayNode left = view.putArray("limits");
            for (ScopedCharge limit : limits) {
                LimitPolicy policy = limit.charge().policy();
                BucketSnapshot snapshot = policy.snapshot(states.getOrDefault(limit.charge().key(), LimitPolicy.MISSING), now);
                left.addObject().put("scope", limit.scope().id()).put("unit", limit.scope().unit())
                        .put("limit", snapshot.capacity()).put("remaining", snapshot.availableTokens())
                        .put("reset_seconds", snapshot.nanosUntilFull() / 1e9);
            }
            ObjectNode used = view.putObject("usage");
            totals(used.putObject("today").put("date", today.toString()),
                    rows.stream().filter(row -> row.period().equals(today.toString())).toList());
            totals(used.putObject("month").put("month", today.toString().substring(0, 7)), rows);
            return RestResponse.ResponseBuilder.ok(view.toString(), MediaType.APPLICATION_JSON).build();
        }));
    }

    /** The upstreams, and the reply cache where a plan keeps replies: it serves requests as an upstream would. */
    private Set<String> upstreamNames() {
        Set<String> names = new TreeSet<>();
        settings.upstreams().stream().map(UpstreamSettings::name).forEach(names::add);
        if (settings.plans().values().stream().anyMatch(plan -> plan.guards().cacheTtl().isPresent())) {
            names.add(UsageCounters.CACHE_UPSTREAM);
        }
        return names;
    }

    /** Every key Sluice knows: issued and set in the environment (a caller let in by SLUICE_ACCEPT_ANY_KEY only by key=). */
    private List<String> knownKeyIds() {
        Set<String> ids = new TreeSet<>(registry.directory().records().keySet());
        settings.callers().staticKeys().stream().map(StaticKey::id).forEach(ids::add);
        return new ArrayList<>(ids);
    }

    private static List<String> scopes() {
        return Arrays.stream(LimitScope.values()).map(LimitScope::id).toList();
    }

    private static boolean wantsCsv(HttpHeaders headers) {
        return headers.getAcceptableMediaTypes().stream()
                .anyMatch(type -> type.getType().equals("text") && type.getSubtype().equals("csv"));
    }

    /** Counters in batches, as one map; a missing counter is absent. */
    private CompletionStage<Map<String, Long>> read(Collection<String> keys) {
        List<String> all = new ArrayList<>(keys);
        CompletableFuture<Map<String, Long>> values = CompletableFuture.completedFuture(new HashMap<>());
        for (int from = 0; from < all.size(); from += READ_BATCH) {
            List<String> batch = all.subList(from, Math.min(all.size(), from + READ_BATCH));
            values = values.thenCompose(sofar -> limiter.store().counters(batch).thenApply(read -> {
                sofar.putAll(read);
                return sofar;
            }));
        }
        return values;
    }

    private String json(UsageQuery query, List<UsageRow> rows) {
        ObjectNode list = mapper.createObjectNode().put("object", "list").put("from", query.from().toString())
                .put("to", query.to().toString()).put("granularity", query.granularity().name().toLowerCase(java.util.Locale.ROOT));
        ArrayNode data = list.putArray("data");
        for (UsageRow row : rows) {
            ObjectNode node = data.addObject().put("period", row.period()).put("key", row.key())
                    .put("upstream", row.upstream().orElse(null)).put("requests", row.requests());
            ObjectNode refusals = node.putObject("refusals");
            row.refusals().forEach(refusals::put);
            node.put("prompt_tokens", row.promptTokens()).put("completion_tokens", row.completionTokens());
        }
        totals(list.putObject("totals"), rows);
        return list.toString();
    }

    private static void totals(ObjectNode node, List<UsageRow> rows) {
        node.put("requests", rows.stream().mapToLong(UsageRow::requests).sum());
        node.put("cached", rows.stream().filter(row -> row.upstream().filter(UsageCounters.CACHE_UPSTREAM::equals).isPresent())
                .mapToLong(UsageRow::requests).sum());
        node.put("refusals", rows.stream().mapToLong(UsageRow::refusalsInAll).sum());
        node.put("prompt_tokens", rows.stream().mapToLong(UsageRow::promptTokens).sum());
        node.put("completion_tokens", rows.stream().mapToLong(UsageRow::completionTokens).sum());
    }

    /** The same rows as CSV: the refusals as their sum and, by scope, as {@code scope=n} pairs joined by {@code ;}. */
    private static String csv(List<UsageRow> rows) {
        StringBuilder csv = new StringBuilder("period,key,upstream,requests,refusals,refusals_by_scope,prompt_tokens,completion_tokens\n");
        for (UsageRow row : rows) {
            StringBuilder scopes = new StringBuilder();
            row.refusals().forEach((scope, count) -> scopes.append(scopes.isEmpty() ? "" : ";").append(scope).append('=').append(count));
            csv.append(row.period()).append(',').append(row.key()).append(',').append(row.upstream().orElse("")).append(',')
                    .append(row.requests()).append(',').append(row.refusalsInAll()).append(',').append(scopes).append(',')
                    .append(row.promptTokens()).append(',').append(row.completionTokens()).append('\n');
        }
        return csv.toString();
    }
}
