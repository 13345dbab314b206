package dev.sluice.config;

import io.smallrye.config.ConfigMappingInterface.Property;
import io.smallrye.config.ConfigMappings;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The names Sluice answers to. The settings come from SmallRye's own metadata of {@link SluiceConfig},
 * so a setting is known as soon as it is declared; a map key in them (a plan's, a key's, an upstream's
 * name) is matched by its shape, letters and digits: an underscore could not tell where it ends. Besides
 * the settings, the variables the project's own scripts and tests read are accepted and ignored, so that
 * a shell that runs both still starts Sluice; and a retired setting is refused with what replaced it.
 */
public final class SluiceVariables {

    /**
     * Read by the project's scripts and tests, never by Sluice; each with where. docs, deploy/ and
     * src/bench may name no other SLUICE_* variable that is not a setting (ConfigurationCheckTest).
     */
    static final Map<String, String> TOOL_VARIABLES = Map.ofEntries(
            Map.entry("SLUICE_JAR", "src/bench: another build's quarkus-run.jar to run"),
            Map.entry("SLUICE_BASE_PORT", "src/bench: the first instance's port"),
            Map.entry("SLUICE_URL", "src/bench: the started instance's base URL"),
            Map.entry("SLUICE_PID", "src/bench: the started instance's process"),
            Map.entry("SLUICE_REQUEST_LOG_LEVEL", "src/bench: passed on as QUARKUS_LOG_CATEGORY__DEV_SLUICE_REQUEST__LEVEL"),
            Map.entry("SLUICE_CLUSTER_TEST", "turns on InfinispanClusterFailoverTest"),
            Map.entry("SLUICE_KEY", "docs/operations.md: a caller's key in the shell, for curl"),
            Map.entry("SLUICE_MODEL", "deploy/loadtest: the model Locust asks for"),
            Map.entry("SLUICE_CALLER_TOKENS", "deploy/loadtest: the tokens Locust's users send"),
            Map.entry("SLUICE_LONG_SHARE", "deploy/loadtest: Locust's share of long prompts"),
            Map.entry("SLUICE_STREAM_SHARE", "deploy/loadtest: Locust's share of streamed requests"));

    /** Settings that are gone, by the shape of their variable: what to do instead. */
    private static final Map<Pattern, String> RETIRED = Map.of(
            Pattern.compile("SLUICE_UPSTREAMS_([A-Z0-9]+)_CALLERS"),
            "callers are no longer pinned to upstreams by token hash: give them keys on a plan that lists its upstreams "
                    + "(SLUICE_PLANS_<PLAN>_UPSTREAMS=%s)");

    private static final String NAME = "<NAME>";
    private static final SluiceVariables MAPPED = new SluiceVariables(ConfigMappings.getProperties(
            ConfigMappings.ConfigClass.configClass(SluiceConfig.class, "sluice")));

    /**
     * One setting as its variable is written ({@code SLUICE_PLANS_<NAME>_RATE}).
     *
     * @param property its property, {@code *} for a map key ({@code sluice.plans.*.rate})
     * @param type     what its value must convert to (a boxed type for a primitive, the element of an optional)
     */
    record Setting(String variable, String property, Class<?> type) {

        /** The names this setting answers to: its variable with a name in place of each {@code <NAME>}. */
        Pattern shape(String name) {
            return Pattern.compile(Pattern.quote(variable).replace(NAME, "\\E" + name + "\\Q"));
        }
    }

    /**
     * A name resolved to its setting.
     *
     * @param variable the name as an environment variable ({@code SLUICE_PLANS_TEAM_RATE})
     * @param property the property, its map key lower-cased ({@code sluice.plans.team.rate})
     */
    record Resolved(String variable, String property, Class<?> type) {
    }

    private final List<Setting> settings;

    private SluiceVariables(Map<String, Property> properties) {
        this.settings = properties.entrySet().stream()
                .filter(entry -> !entry.getKey().endsWith("[*]")) // a list's elements: the list is there too
                .map(entry -> new Setting(Problems.envName(entry.getKey()).replace("*", NAME), entry.getKey(),
                        valueType(entry.getValue())))
                .sorted(Comparator.comparing(Setting::variable))
                .toList();
    }

    /** Sluice's settings, as {@link SluiceConfig} declares them. */
    public static SluiceVariables mapped() {
        return MAPPED;
    }

    /** Every setting's variable, sorted, {@code <NAME>} for a plan's, a key's or an upstream's name. */
    public List<String> settingVariables() {
        return settings.stream().map(Setting::variable).toList();
    }

    /** Whether the variable is a setting's: {@code SLUICE_PLANS_TEAM_RATE}, any letters and digits for {@code <NAME>}. */
    public boolean isSetting(String variable) {
        return resolve(variable).isPresent();
    }

    /** Whether Sluice starts with this variable set: a setting's or a tool's. */
    public boolean accepts(String variable) {
        return TOOL_VARIABLES.containsKey(variable) || isSetting(variable);
    }

    /** Whether the variable is a retired setting's, which Sluice refuses saying what replaced it. */
    public boolean isRetired(String variable) {
        return RETIRED.keySet().stream().anyMatch(shape -> shape.matcher(variable).matches());
    }

    /**
     * The setting of a variable ({@code SLUICE_CALLER_RATE}) or property ({@code sluice.caller.rate});
     * empty when it is none, or a tool's.
     */
    Optional<Resolved> resolve(String name) {
        boolean property = name.startsWith("sluice.");
        String variable = property ? Problems.envName(name) : name;
        for (Setting setting : settings) {
            Matcher matcher = setting.shape("([A-Z0-9]+)").matcher(variable);
            if (matcher.matches()) {
                String resolved = matcher.groupCount() == 0 ? setting.property()
                        : setting.property().replace("*", matcher.group(1).toLowerCase(Locale.ROOT));
                // sluice.caller.max.concurrent has the variable of sluice.caller.max-concurrent, but maps nothing
                return property && !resolved.equals(name.toLowerCase(Locale.ROOT)) ? Optional.empty()
                        : Optional.of(new Resolved(variable, resolved, setting.type()));
            }
        }
        return Optional.empty();
    }

    /**
     * What is wrong with a {@code SLUICE_*} variable or {@code sluice.*} property name: not a setting
     * (with the closest one when one is close), a name that is not letters and digits, a retired setting.
     * Empty when Sluice accepts it.
     */
    Optional<String> problemWith(String name) {
        if (accepts(name)) {
            return Optional.empty();
        }
        String variable = name.startsWith("sluice.") ? Problems.envName(name) : name;
        for (Map.Entry<Pattern, String> retired : RETIRED.entrySet()) {
            Matcher matcher = retired.getKey().matcher(variable);
            if (matcher.matches()) {
                return Optional.of(name + ": " + String.format(retired.getValue(), matcher.group(1).toLowerCase(Locale.ROOT)));
            }
        }
        Optional<Setting> misnamed = settings.stream().filter(setting -> setting.variable().contains(NAME))
                .filter(setting -> setting.shape("(.+)").matcher(variable).matches()).findFirst();
        if (misnamed.isPresent()) {
            return Optional.of(name + ": not understood; " + NAME + " in " + misnamed.get().variable()
                    + " is letters and digits (an underscore could not tell where the name ends)");
        }
        return Optional.of(name + ": not a Sluice setting" + closest(name, variable)
                .map(known -> "; did you mean " + known + "?").orElse(" (docs/configuration.md lists them)"));
    }

    /** The known name nearest to a misspelt one, written as it was (variable or property); empty when none is near. */
    private Optional<String> closest(String name, String variable) {
        boolean property = name.startsWith("sluice.");
        // a map key is taken as written, up to the next underscore: SLUICE_PLANS_TEAM_RAT is near SLUICE_PLANS_TEAM_RATE
        Stream<String> candidates = Stream.concat(TOOL_VARIABLES.keySet().stream().filter(tool -> !property),
                settings.stream().map(setting -> {
                    int at = setting.variable().indexOf(NAME);
                    if (at < 0 || !variable.startsWith(setting.variable().substring(0, at))) {
                        return setting.variable();
                    }
                    String given = variable.substring(at).split("_", 2)[0];
                    return setting.variable().replace(NAME, given);
                }).filter(candidate -> !candidate.contains(NAME)));
        // at most a quarter of what follows SLUICE_, so that a short name is not matched to anything
        int allowed = Math.max(1, Math.min(3, (variable.length() - "SLUICE_".length()) / 4));
        return candidates.map(candidate -> Map.entry(candidate, distance(variable, candidate)))
                .filter(entry -> entry.getValue() <= allowed)
                .min(Map.Entry.<String, Integer>comparingByValue().thenComparing(Map.Entry.comparingByKey()))
                .map(Map.Entry::getKey)
                .map(known -> property ? resolve(known).map(Resolved::property).orElse(known) : known);
    }

    /** Levenshtein distance: the fewest single-character insertions, deletions and substitutions. */
    static int distance(String from, String to) {
        int[] previous = new int[to.length() + 1];
        int[] current = new int[to.length() + 1];
        for (int j = 0; j <= to.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= from.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= to.length(); j++) {
                int substitution = previous[j - 1] + (from.charAt(i - 1) == to.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[to.length()];
    }

    private static Class<?> valueType(Property property) {
        if (property.isPrimitive()) {
            return property.asPrimitive().getBoxType();
        }
        if (!property.isLeaf()) {
            return String.class;
        }
        Class<?> type = property.asLeaf().getValueRawType();
        return type == OptionalLong.class ? Long.class
                : type == OptionalInt.class ? Integer.class
                : type == OptionalDouble.class ? Double.class
                : type;
    }
}
