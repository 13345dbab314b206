package dev.sluice.limit.infinispan;

import java.util.Map;

/**
 * A two-node Infinispan cluster for the whole test run: nodes 5 and 6 of deploy/local/infinispan.sh
 * (infinispan-cluster.xml, Hot Rod on 11622 and 11722), started when they do not answer (CI starts
 * them before the tests) and stopped at the end only if this JVM started them. Nodes 1 (the single
 * server) and 3 and 4 (which {@link InfinispanClusterFailoverTest} kills) are left alone.
 */
public final class InfinispanSuiteCluster {

    static final int[] NODES = {5, 6};
    private static final Map<String, String> CLUSTER = Map.of(
            "INFINISPAN_CONFIG", "infinispan-cluster.xml",
            "INFINISPAN_CLUSTER_NODES", "5 6");

    private static boolean started;

    private InfinispanSuiteCluster() {
    }

    /** Makes sure both nodes run and see each other; returns {@code host:port;host:port} for the Hot Rod client. */
    public static synchronized String ensureRunning() {
        boolean running = true;
        for (int node : NODES) {
            running &= InfinispanTestServer.answers(InfinispanTestCluster.hotRodPort(node));
        }
        if (!running && !started) {
            started = true;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                for (int node : NODES) {
                    InfinispanTestServer.script(Map.of(), "stop", Integer.toString(node));
                }
            }));
        }
        // Also when already running: the script restarts a node whose Sluice task is older than these sources.
        for (int node : NODES) {
            InfinispanTestServer.script(CLUSTER, "start", Integer.toString(node));
        }
        if (!InfinispanTestCluster.awaitView(NODES[0], NODES.length, 60_000)) {
            throw new IllegalStateException("nodes " + NODES[0] + " and " + NODES[1] + " did not form a cluster");
        }
        StringBuilder servers = new StringBuilder();
        for (int node : NODES) {
            servers.append(servers.isEmpty() ? "" : ";").append(InfinispanTestServer.HOST).append(':')
                    .append(InfinispanTestCluster.hotRodPort(node));
        }
        return servers.toString();
    }
}
