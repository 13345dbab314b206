package dev.sluice.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.limit.infinispan.InfinispanBucketStore;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;
import org.xml.sax.InputSource;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.StringReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every YAML file under deploy/ parses, and each document has what its schema requires: apiVersion,
 * kind and metadata.name for Kubernetes resources, plus the spec fields Sluice relies on per kind. A
 * kind no rule knows fails, so a new manifest gets a rule. (AWS SAM templates: Resources with a Type.)
 */
class DeployManifestsTest {

    @Test
    void everyManifestHasTheFieldsItsSchemaRequires() {
        List<Path> files = Manifests.files();
        assertThat(files).isNotEmpty();

        for (Path file : files) {
            List<JsonNode> documents = Manifests.documents(file);
            assertThat(documents).as(file.toString()).isNotEmpty();
            for (JsonNode document : documents) {
                check(file + " (" + document.path("kind").asText("?") + ")", document);
            }
        }
    }

    private static void check(String where, JsonNode document) {
        if (document.has("AWSTemplateFormatVersion") || document.has("Transform")) {
            assertThat(document.path("Resources").size()).as(where + " Resources").isPositive();
            document.path("Resources").forEach(resource ->
                    assertThat(resource.path("Type").asText()).as(where + " Resources.*.Type").isNotEmpty());
            return;
        }
        assertThat(document.path("apiVersion").asText()).as(where + " apiVersion").isNotEmpty();
        assertThat(document.path("metadata").path("name").asText()).as(where + " metadata.name")
                .matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
        String type = document.path("apiVersion").asText() + " " + document.path("kind").asText();
        switch (type) {
            case "serving.knative.dev/v1 Service" -> {
                JsonNode containers = document.at("/spec/template/spec/containers");
                assertThat(containers.size()).as(where + " spec.template.spec.containers").isPositive();
                containers.forEach(container ->
                        assertThat(container.path("image").asText()).as(where + " containers[].image").isNotEmpty());
            }
            case "v1 ConfigMap" -> document.path("data").forEach(value ->
                    assertThat(value.isTextual()).as(where + " data values are strings").isTrue());
            case "infinispan.org/v1 Infinispan" -> {
                JsonNode spec = document.path("spec");
                assertThat(spec.path("replicas").isInt()).as(where + " spec.replicas").isTrue();
                assertThat(spec.at("/service/type").asText()).as(where + " spec.service.type").isIn("DataGrid", "Cache");
                assertThat(spec.at("/security/endpointAuthentication").asBoolean(true))
                        .as(where + " spec.security.endpointAuthentication").isTrue();
                assertThat(spec.at("/security/endpointEncryption/type").asText())
                        .as(where + " spec.security.endpointEncryption.type").isIn("Secret", "Service", "None");
                spec.at("/dependencies/artifacts").forEach(artifact -> {
                    assertThat(artifact.has("url") || artifact.has("maven")).as(where + " artifacts[].url or maven").isTrue();
                    if (artifact.has("hash")) {
                        assertThat(artifact.path("hash").asText()).as(where + " artifacts[].hash")
                                .matches("(sha1|sha224|sha256|sha384|sha512|md5):[0-9a-f]+");
                    }
                });
            }
            case "monitoring.coreos.com/v1 PrometheusRule" -> {
                assertThat(document.at("/spec/groups").size()).as(where + " spec.groups").isPositive();
                document.at("/spec/groups").forEach(group -> group.path("rules").forEach(rule -> {
                    assertThat(rule.path("alert").asText()).as(where + " rules[].alert").isNotEmpty();
                    assertThat(rule.path("expr").asText()).as(where + " rules[].expr").isNotEmpty();
                }));
            }
            case "infinispan.org/v2alpha1 Cache" -> {
                assertThat(document.at("/spec/clusterName").asText()).as(where + " spec.clusterName").isNotEmpty();
                assertThat(document.at("/spec/template").asText()).as(where + " spec.template").isNotEmpty();
            }
            default -> throw new AssertionError(where + ": no rule for " + type + "; add one to " + DeployManifestsTest.class.getSimpleName());
        }
    }

    @Test
    void theInfinispanClusterHasThreeAuthenticatedNodesAndSluicesTasks() {
        JsonNode spec = Manifests.only("deploy/infinispan/infinispan.yaml").path("spec");

        assertThat(spec.path("replicas").asInt()).isEqualTo(3);
        assertThat(spec.at("/security/endpointAuthentication").asBoolean()).isTrue();
        assertThat(spec.at("/security/endpointSecretName").asText()).isNotEmpty();
        assertThat(spec.at("/security/endpointEncryption/type").asText()).isNotEqualTo("None");
        assertThat(spec.at("/dependencies/artifacts/0/url").asText()).endsWith("/sluice-infinispan-task.jar");
        assertThat(spec.at("/dependencies/artifacts/0/hash").asText()).startsWith("sha256:");
    }

    /** The operator's cache is the one Sluice opens, on the cluster above, defined as the local cluster's. */
    @Test
    void theBucketsCacheIsTheOneSluiceOpensDefinedAsLocally() throws Exception {
        JsonNode cache = Manifests.only("deploy/infinispan/sluice-buckets.yaml");
        String cluster = Manifests.only("deploy/infinispan/infinispan.yaml").at("/metadata/name").asText();

        assertThat(cache.at("/spec/name").asText()).isEqualTo(InfinispanBucketStore.CACHE);
        assertThat(cache.at("/spec/clusterName").asText()).isEqualTo(cluster);

        Element operator = parse(cache.at("/spec/template").asText());
        Element local = bucketsCache(parse(java.nio.file.Files.readString(
                Path.of("deploy/local/infinispan/infinispan-cluster.xml"))));
        operator.removeAttribute("name");
        local.removeAttribute("name");
        assertThat(describe(operator)).isEqualTo(describe(local));
    }

    private static Element parse(String xml) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(false);
        return factory.newDocumentBuilder().parse(new InputSource(new StringReader(xml))).getDocumentElement();
    }

    private static Element bucketsCache(Element root) {
        var caches = root.getElementsByTagName("distributed-cache");
        for (int i = 0; i < caches.getLength(); i++) {
            Element cache = (Element) caches.item(i);
            if (cache.getAttribute("name").equals(InfinispanBucketStore.CACHE)) {
                return cache;
            }
        }
        throw new AssertionError("no distributed-cache " + InfinispanBucketStore.CACHE + " in infinispan-cluster.xml");
    }

    /** An element's name, attributes and child elements, recursively, ignoring whitespace and comments. */
    private static List<String> describe(Element element) {
        List<String> lines = new ArrayList<>();
        Map<String, String> attributes = new TreeMap<>();
        NamedNodeMap map = element.getAttributes();
        for (int i = 0; i < map.getLength(); i++) {
            attributes.put(map.item(i).getNodeName(), map.item(i).getNodeValue());
        }
        lines.add(element.getTagName() + " " + attributes);
        for (Node child = element.getFirstChild(); child != null; child = child.getNextSibling()) {
            if (child instanceof Element childElement) {
                describe(childElement).forEach(line -> lines.add("  " + line));
            }
        }
        return lines;
    }
}
