package dev.sluice.config;

import io.quarkus.runtime.configuration.DurationConverter;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.runtime.configuration.MemorySizeConverter;
import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.Converters;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.eclipse.microprofile.config.spi.ConfigSource;
import org.eclipse.microprofile.config.spi.Converter;

import java.time.DateTimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Sluice's start-up check, run while the configuration is being built and before {@link SluiceConfig} is
 * mapped, so that one start reports every problem: a {@code SLUICE_*} variable that is no setting (with the
 * nearest one), a value of the wrong type, and a value out of range, each naming its variable. Mapping
 * first would stop at the type errors (naming only the property) and hide the rest until the next start.
 * <p>
 * A config source factory because that is where SmallRye hands out every source's values, profiles and
 * expressions resolved, before it maps anything (its own {@code ConfigurableConfigSourceFactory} maps a
 * private config there the same way). It adds no source; it throws {@link InvalidConfigurationException}.
 * Registered in {@code META-INF/services/io.smallrye.config.ConfigSourceFactory}.
 */
public final class ConfigurationCheck implements ConfigSourceFactory {

    /** Quarkus's converters for its own types; SmallRye's built-in ones convert the rest. */
    private static final Map<Class<?>, Converter<?>> QUARKUS_CONVERTERS = Map.of(
            Duration.class, new DurationConverter(), MemorySize.class, new MemorySizeConverter());
    /** What SmallRye takes for true; anything else it takes for false, so a typo would turn a switch off. */
    private static final Set<String> BOOLEANS = Set.of("true", "false", "1", "0", "yes", "no", "y", "n", "on", "off");

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        Set<String> names = new TreeSet<>();
        for (Iterator<String> all = context.iterateNames(); all.hasNext(); ) {
            String name = all.next();
            if (name.startsWith("SLUICE_") || name.startsWith("sluice.")) {
                names.add(name.replaceAll("\\[\\d+]$", "")); // sluice.caller.models[0]: the list
            }
        }
        // the environment's names come dotted as well (SLUICE_MAX_WAIT as sluice.max.wait): the variable is checked
        names.removeIf(name -> name.startsWith("sluice.") && names.contains(Problems.envName(name)));
        Map<String, String> values = new TreeMap<>();
        for (String name : names) {
            Optional<SluiceVariables.Resolved> setting = SluiceVariables.mapped().resolve(name);
            if (setting.isEmpty()) {
                continue;
            }
            ConfigValue value;
            try {
                value = context.getValue(setting.get().property());
            } catch (NoSuchElementException unresolved) {
                return List.of(); // an expression not resolvable yet (see below)
            }
            if (value != null && value.getValue() == null && value.getRawValue() != null) {
                return List.of();
            }
            Optional.ofNullable(value).map(ConfigValue::getValue).ifPresent(text -> values.put(setting.get().property(), text));
        }
        ConfigValue hosts = context.getValue(SluiceSettings.INFINISPAN_HOSTS);
        // Quarkus also builds a configuration while it augments the application (for a @QuarkusTest, before
        // its test resources have started): a value that refers to one of theirs, ${test.second-upstream.url},
        // cannot be resolved then. That configuration is not the one Sluice runs with; the runtime one,
        // where every expression resolves, is checked whole.
        List<String> problems = problems(names, values, Optional.ofNullable(hosts).map(ConfigValue::getValue));
        if (!problems.isEmpty()) {
            throw new InvalidConfigurationException(problems);
        }
        return List.of();
    }

    /**
     * Every problem with a configuration: names that are no setting, then values of the wrong type, then
     * what {@link SluiceSettings} finds in the rest (a mistyped value's default standing in for it, and
     * nothing said of what depends on it).
     *
     * @param names           the {@code SLUICE_*} variables and {@code sluice.*} properties set
     * @param values          the settings' values, by property ({@code sluice.caller.rate})
     * @param infinispanHosts {@value SluiceSettings#INFINISPAN_HOSTS}
     */
    static List<String> problems(Set<String> names, Map<String, String> values, Optional<String> infinispanHosts) {
        List<String> problems = new ArrayList<>();
        names.forEach(name -> SluiceVariables.mapped().problemWith(name).ifPresent(problems::add));
        Map<String, String> converted = new TreeMap<>(values);
        List<String> mistyped = new ArrayList<>();
        values.forEach((property, value) -> {
            SluiceVariables.Resolved setting = SluiceVariables.mapped().resolve(property).orElseThrow();
            typeProblem(setting.type(), value.strip()).ifPresent(problem -> {
                problems.add(Problems.describe(property, problem));
                mistyped.add(setting.variable());
                converted.remove(property);
            });
        });
        try {
            SluiceSettings.from(new SmallRyeConfigBuilder()
                    .withMapping(SluiceConfig.class)
                    .withConverter(Duration.class, 100, new DurationConverter())
                    .withConverter(MemorySize.class, 100, new MemorySizeConverter())
                    .withSources(new PropertiesConfigSource(converted, "sluice-configuration-check", 100))
                    .build().getConfigMapping(SluiceConfig.class), infinispanHosts);
        } catch (InvalidConfigurationException e) {
            Pattern aboutMistyped = Pattern.compile("\\b(" + String.join("|", mistyped) + ")\\b");
            e.problems().stream().filter(problem -> mistyped.isEmpty() || !aboutMistyped.matcher(problem).find())
                    .forEach(problems::add);
        }
        return problems;
    }

    /** What is wrong with a value for a setting of this type; empty when it converts. */
    private static Optional<String> typeProblem(Class<?> type, String value) {
        if (value.isEmpty() || type == String.class) {
            return Optional.empty(); // empty is unset, as SmallRye reads it
        }
        if (type == Boolean.class) {
            return BOOLEANS.contains(value.toLowerCase(Locale.ROOT)) ? Optional.empty()
                    : Optional.of("'" + value + "' is not true or false");
        }
        Converter<?> converter = QUARKUS_CONVERTERS.containsKey(type) ? QUARKUS_CONVERTERS.get(type) : Converters.getImplicitConverter(type);
        if (converter == null) {
            return Optional.empty(); // no converter to try: the mapping reports it
        }
        try {
            converter.convert(value);
            return Optional.empty();
        } catch (IllegalArgumentException | DateTimeException e) {
            return Optional.of("'" + value + "' " + expected(type));
        }
    }

    private static String expected(Class<?> type) {
        if (type == Long.class || type == Integer.class) {
            return "is not a whole number";
        }
        if (type == Double.class) {
            return "is not a number";
        }
        if (type == Duration.class) {
            return "is not a duration (e.g. 250ms, 30s, 5m, 2h, 1d; a bare number is seconds)";
        }
        if (type == MemorySize.class) {
            return "is not a size (bytes, or e.g. 512K, 4M, 1G)";
        }
        if (type.isEnum()) {
            return "is not one of " + Arrays.stream(type.getEnumConstants())
                    .map(constant -> ((Enum<?>) constant).name().toLowerCase(Locale.ROOT).replace('_', '-'))
                    .collect(Collectors.joining(", "));
        }
        return "is not a " + type.getSimpleName();
    }
}
