package dev.sluice.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.AbstractConstruct;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A CloudFormation (SAM) template read the way CloudFormation reads it: the short forms of the
 * intrinsic functions ({@code !Ref X}, {@code !Sub '...'}, {@code !If [...]}) become their long
 * forms ({@code {"Ref": "X"}}, {@code {"Fn::Sub": "..."}}), so a test sees what is a reference and
 * what is a literal. A plain YAML parser would drop the tags and read {@code !Ref X} as "X".
 */
final class CloudFormation {

    private static final List<String> FUNCTIONS = List.of("Ref", "Condition", "Base64", "Cidr", "Equals", "FindInMap",
            "GetAtt", "GetAZs", "If", "ImportValue", "Join", "Not", "And", "Or", "Select", "Split", "Sub", "ToJsonString");
    private static final ObjectMapper MAPPER = JsonMapper.builder().build();
    private static final Pattern SUBSTITUTION = Pattern.compile("\\$\\{([^}!]+)}");

    private final JsonNode template;

    private CloudFormation(JsonNode template) {
        this.template = template;
    }

    static CloudFormation load(String file) {
        try (Reader reader = Files.newBufferedReader(Path.of(file))) {
            Object tree = new Yaml(new IntrinsicFunctions()).load(reader);
            return new CloudFormation(MAPPER.valueToTree(tree));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    JsonNode template() {
        return template;
    }

    /**
     * A value as it would be at deploy time with every parameter at its default: literals as they
     * are, {@code Ref}s to parameters and {@code Fn::Sub} strings filled in. A parameter without a
     * default becomes {@code <Name>}; anything else is not a value this class can work out.
     */
    String resolve(JsonNode value) {
        if (value.isValueNode()) {
            return value.asText();
        }
        if (value.has("Ref")) {
            return parameter(value.path("Ref").asText());
        }
        if (value.has("Fn::Sub") && value.path("Fn::Sub").isTextual()) {
            Matcher names = SUBSTITUTION.matcher(value.path("Fn::Sub").asText());
            StringBuilder resolved = new StringBuilder();
            while (names.find()) {
                names.appendReplacement(resolved, Matcher.quoteReplacement(parameter(names.group(1))));
            }
            return names.appendTail(resolved).toString();
        }
        throw new IllegalArgumentException("not a value known before deployment: " + value);
    }

    private String parameter(String name) {
        JsonNode parameter = template.at("/Parameters/" + name);
        if (parameter.isMissingNode()) {
            return "<" + name + ">"; // a pseudo parameter (AWS::Region) or a resource
        }
        return parameter.has("Default") ? parameter.path("Default").asText() : "<" + name + ">";
    }

    /** Turns each short-form tag into the one-key map of its long form. */
    private static final class IntrinsicFunctions extends SafeConstructor {

        IntrinsicFunctions() {
            super(new LoaderOptions());
            for (String function : FUNCTIONS) {
                String key = function.equals("Ref") || function.equals("Condition") ? function : "Fn::" + function;
                yamlConstructors.put(new Tag("!" + function), new AbstractConstruct() {
                    @Override
                    public Object construct(Node node) {
                        return Map.of(key, content(node));
                    }
                });
            }
        }

        private Object content(Node node) {
            if (node instanceof ScalarNode scalar) {
                return constructScalar(scalar);
            }
            if (node instanceof SequenceNode sequence) {
                return constructSequence(sequence);
            }
            return constructMapping((MappingNode) node);
        }
    }
}
