package dev.sluice.limit.infinispan;

import org.awaitility.core.ConditionTimeoutException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * Nodes 3 and 4 of deploy/local/infinispan.sh, clustered (infinispan-cluster.xml), for tests that
 * need a node to die. Nodes 1 and 2 are left alone: node 1 is the single server the other tests and
 * a developer's own runs share.
 */
final class InfinispanTestCluster {

    static final int[] NODES = {3, 4};
    private static final Map<String, String> CLUSTER = Map.of(
            "INFINISPAN_CONFIG", "infinispan-cluster.xml",
            "INFINISPAN_CLUSTER_NODES", "3 4",
            "INFINISPAN_CLEAN", "1");

    private InfinispanTestCluster() {
    }

    static int hotRodPort(int node) {
        return 11222 + (node - 1) * 100;
    }

    /** {@code host:port;host:port} of every node, for the Hot Rod client. */
    static String servers() {
        StringBuilder servers = new StringBuilder();
        for (int node : NODES) {
            servers.append(servers.isEmpty() ? "" : ";").append(InfinispanTestServer.HOST).append(':').append(hotRodPort(node));
        }
        return servers.toString();
    }

    /** Whether this test may start the nodes: the script is there and nothing answers on their ports. */
    static String unavailableBecause() {
        if (InfinispanTestServer.findRepositoryRoot() == null) {
            return "deploy/local/infinispan.sh not found";
        }
        for (int node : NODES) {
            if (InfinispanTestServer.answers(hotRodPort(node))) {
                return "something already answers on node " + node + "'s port " + hotRodPort(node);
            }
        }
        return null;
    }

    static void start(int node) {
        InfinispanTestServer.script(CLUSTER, "start", Integer.toString(node));
    }

    static void stop(int node) {
        InfinispanTestServer.script(Map.of(), "stop", Integer.toString(node));
    }

    /** SIGKILL, like a crash: the node leaves no goodbye, its peers and clients find out on their own. */
    static void kill(int node) throws Exception {
        long pid = Long.parseLong(Files.readString(nodeDirectory(node).resolve("pid")).trim());
        ProcessHandle process = ProcessHandle.of(pid).orElseThrow(() -> new IllegalStateException("node " + node + " is not running"));
        process.destroyForcibly();
        process.onExit().get(10, TimeUnit.SECONDS);
    }

    /** Waits until {@code node}'s log shows a cluster view with {@code members} members; false on time-out. */
    static boolean awaitView(int node, int members, long timeoutMillis) {
        Path log = nodeDirectory(node).resolve("server.log");
        try {
            await().atMost(Duration.ofMillis(timeoutMillis)).pollInterval(Duration.ofMillis(100))
                    .until(() -> lastViewSize(Files.readAllLines(log)) == members);
            return true;
        } catch (ConditionTimeoutException e) {
            return false;
        }
    }

    // ISPN000094: Received new cluster view for channel sluice-local: [node-3|1] (2) [node-3, node-4]
    private static int lastViewSize(Iterable<String> lines) {
        int size = 0;
        for (String line : lines) {
            int at = line.indexOf("ISPN000094");
            if (at >= 0) {
                int open = line.indexOf("] (", at);
                size = Integer.parseInt(line.substring(open + 3, line.indexOf(')', open)));
            }
        }
        return size;
    }

    private static Path nodeDirectory(int node) {
        return InfinispanTestServer.repositoryRoot().resolve("target/infinispan/node-" + node);
    }
}
