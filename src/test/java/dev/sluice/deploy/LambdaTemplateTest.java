package dev.sluice.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.config.SluiceSettings;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

/**
 * deploy/aws-lambda/template.yaml against the code and against what SAM and API Gateway accept:
 * both variants behind one HTTP API, the JVM one with SnapStart, every variable a real setting,
 * secrets only as Secrets Manager references, and the longest request inside the function's time,
 * itself inside the HTTP API's.
 */
class LambdaTemplateTest {

    /** API Gateway HTTP APIs end each integration after 30 s at most; the quota cannot be raised. */
    private static final Duration HTTP_API_INTEGRATION_LIMIT = Duration.ofSeconds(30);
    /** SAM's Globals take every function property but these (samtranslator/plugins/globals/globals.py). */
    private static final Set<String> NOT_GLOBAL = Set.of("Role", "Policies", "FunctionName", "Events");
    private static final String QUARKUS_HANDLER = "io.quarkus.amazon.lambda.runtime.QuarkusStreamHandler::handleRequest";

    private final CloudFormation cloudFormation = CloudFormation.load("deploy/aws-lambda/template.yaml");
    private final JsonNode template = cloudFormation.template();
    private final JsonNode globals = template.at("/Globals/Function");
    private final JsonNode jvm = template.at("/Resources/SluiceJvm");
    private final JsonNode nativeFunction = template.at("/Resources/SluiceNative");

    @Test
    void isASamTemplateWithOneFunctionPerVariantBehindOneHttpApi() {
        assertThat(template.path("Transform").asText()).isEqualTo("AWS::Serverless-2016-10-31");
        assertThat(template.at("/Resources/SluiceApi/Type").asText()).isEqualTo("AWS::Serverless::HttpApi");
        assertThat(template.at("/Parameters/Variant/AllowedValues")).extracting(JsonNode::asText)
                .containsExactlyInAnyOrder("jvm", "native");

        List<String> functions = new ArrayList<>();
        template.path("Resources").fields().forEachRemaining(resource -> {
            if (resource.getValue().path("Type").asText().equals("AWS::Serverless::Function")) {
                functions.add(resource.getKey());
            }
        });
        assertThat(functions).containsExactlyInAnyOrder("SluiceJvm", "SluiceNative");
        assertThat(condition(jvm)).isEqualTo("jvm");
        assertThat(condition(nativeFunction)).isEqualTo("native");
        for (JsonNode function : List.of(jvm, nativeFunction)) {
            assertThat(function.at("/Properties/Events")).hasSize(1).allSatisfy(event -> {
                assertThat(event.path("Type").asText()).isEqualTo("HttpApi");
                assertThat(event.at("/Properties/ApiId/Ref").asText()).isEqualTo("SluiceApi");
            });
        }
    }

    @Test
    void globalsHoldOnlyWhatSamMergesIntoFunctions() {
        assertThat(globals.fieldNames()).toIterable().isNotEmpty().doesNotContainAnyElementsOf(NOT_GLOBAL);
        assertThat(template.path("Globals").fieldNames()).toIterable().containsOnly("Function");
    }

    /** The JVM variant runs Quarkus's handler on a managed Java runtime, restored from a SnapStart snapshot. */
    @Test
    void theJvmVariantRunsQuarkussHandlerWithSnapStart() {
        JsonNode properties = jvm.path("Properties");

        assertThat(properties.path("Runtime").asText()).matches("java(17|21|25)");
        assertThat(properties.path("Handler").asText()).isEqualTo(QUARKUS_HANDLER);
        assertThat(properties.at("/SnapStart/ApplyOn").asText()).isEqualTo("PublishedVersions");
        assertThat(properties.path("AutoPublishAlias").asText()).as("SnapStart applies to published versions only")
                .isNotEmpty();
        assertThat(codeUri(jvm)).isEqualTo("../../target/function.zip");
    }

    @Test
    void theNativeVariantIsACustomRuntimeWithoutSignalHandlers() {
        JsonNode properties = nativeFunction.path("Properties");

        assertThat(properties.path("Runtime").asText()).isEqualTo("provided.al2023");
        assertThat(properties.has("SnapStart")).isFalse();
        assertThat(environment(nativeFunction)).containsEntry("DISABLE_SIGNAL_HANDLERS", "true");
        assertThat(codeUri(nativeFunction)).isEqualTo("../../target/function.zip");
    }

    /** The zip the template deploys is the one `mvn package -Plambda` builds. */
    @Test
    void theLambdaProfileBuildsWithQuarkussLambdaExtension() throws IOException {
        String pom = Files.readString(Path.of("pom.xml"));
        int profile = pom.indexOf("<id>lambda</id>");

        assertThat(profile).isPositive();
        assertThat(pom.substring(profile, pom.indexOf("</profile>", profile)))
                .contains("<artifactId>quarkus-amazon-lambda-http</artifactId>");
        if (Boolean.getBoolean("test.lambda")) {
            String handler = QUARKUS_HANDLER.substring(0, QUARKUS_HANDLER.indexOf("::"));
            assertThatCode(() -> Class.forName(handler)).as("the handler the template names is built in").doesNotThrowAnyException();
        }
    }

    @Test
    void everyVariableSetIsARealSetting() {
        for (JsonNode function : List.of(jvm, nativeFunction)) {
            List<String> names = new ArrayList<>(environment(function).keySet());
            names.removeAll(Set.of("JAVA_TOOL_OPTIONS", "DISABLE_SIGNAL_HANDLERS")); // the runtime's, not Sluice's
            DeployedEnvironment.assertEveryVariableIsARealSetting(names);
        }
    }

    /** Secrets are Secrets Manager references that CloudFormation resolves; never a value, never a parameter. */
    @Test
    void secretsComeFromSecretsManagerOnly() {
        JsonNode variables = globals.at("/Environment/Variables");
        List<String> secrets = secretVariables();

        assertThat(secrets).contains("SLUICE_UPSTREAM_API_KEY", "QUARKUS_INFINISPAN_CLIENT_PASSWORD");
        for (String name : secrets) {
            assertThat(variables.path(name).path("Fn::Sub").asText()).as(name)
                    .matches("\\{\\{resolve:secretsmanager:\\$\\{SecretName}:SecretString:[a-z-]+}}");
        }
        for (JsonNode function : List.of(jvm, nativeFunction)) {
            assertThat(function.at("/Properties/Environment/Variables").fieldNames()).toIterable()
                    .noneMatch(name -> DeployedEnvironment.SECRET_NAME.matcher(name).matches());
        }
        assertThat(template.path("Parameters").fieldNames()).toIterable()
                .noneMatch(name -> name.matches("(?i).*(key|password).*"));
    }

    @Test
    void theBucketsAreSharedInInfinispan() {
        assertThat(settings().store().kind().name()).as("Lambda runs one request per instance, many instances")
                .isEqualToIgnoringCase("infinispan");
    }

    /**
     * The longest wait for a first byte (hold, retries, one last attempt) ends before the function's
     * timeout, which ends before the HTTP API gives up: the caller gets Sluice's own 504 or 429, not
     * API Gateway's bare 503. The retry cap alone is well inside it.
     */
    @Test
    void theLongestRequestEndsBeforeTheFunctionAndTheFunctionBeforeTheApi() {
        SluiceSettings settings = settings();
        Duration timeout = Duration.ofSeconds(globals.path("Timeout").asLong());

        assertThat(DeployedEnvironment.longestFirstByte(settings)).isLessThan(timeout);
        assertThat(settings.resilience().retry().maxTotal()).isLessThan(timeout);
        assertThat(timeout).isLessThanOrEqualTo(HTTP_API_INTEGRATION_LIMIT);
        for (JsonNode function : List.of(jvm, nativeFunction)) {
            assertThat(function.at("/Properties/Timeout").isMissingNode()).as("one timeout for both").isTrue();
            assertThat(function.at("/Properties/MemorySize").asInt()).isBetween(128, 10240);
        }
    }

    private String condition(JsonNode resource) {
        JsonNode equals = template.at("/Conditions/" + resource.path("Condition").asText() + "/Fn::Equals");
        assertThat(equals.at("/0/Ref").asText()).isEqualTo("Variant");
        return equals.path(1).asText();
    }

    private String codeUri(JsonNode function) {
        JsonNode own = function.at("/Properties/CodeUri");
        return (own.isMissingNode() ? globals.path("CodeUri") : own).asText();
    }

    /** A function's variables as deployed with default parameters: the Globals' merged with its own. */
    private Map<String, String> environment(JsonNode function) {
        Map<String, String> environment = new LinkedHashMap<>();
        globals.at("/Environment/Variables").fields().forEachRemaining(variable ->
                environment.put(variable.getKey(), cloudFormation.resolve(variable.getValue())));
        function.at("/Properties/Environment/Variables").fields().forEachRemaining(variable ->
                environment.put(variable.getKey(), cloudFormation.resolve(variable.getValue())));
        return environment;
    }

    private List<String> secretVariables() {
        List<String> names = new ArrayList<>();
        globals.at("/Environment/Variables").fieldNames().forEachRemaining(name -> {
            if (DeployedEnvironment.SECRET_NAME.matcher(name).matches()) {
                names.add(name);
            }
        });
        return names;
    }

    private SluiceSettings settings() {
        return DeployedEnvironment.settings(environment(jvm), secretVariables());
    }
}
