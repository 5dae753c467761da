package riskgraph.launcher;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.io.ByteUnit;

/**
 * Runs Neo4j Community embedded with a Bolt connector until the process is told to stop.
 *
 * <p>Settings arrive as system properties (riskgraph.*) set by riskgraph/graph/server.py; the
 * password arrives in the environment so it never shows in a process listing. SIGTERM runs
 * the shutdown hook, which checkpoints and closes the store cleanly.
 */
public final class Launcher {
    private Launcher() {}

    public static void main(String[] args) throws InterruptedException {
        Path home = Path.of(System.getProperty("riskgraph.home"));
        String host = System.getProperty("riskgraph.host", "127.0.0.1");
        int port = Integer.parseInt(System.getProperty("riskgraph.port", "7687"));
        String pageCache = System.getProperty("riskgraph.pagecache", "512m");
        Path plugins = Path.of(System.getProperty("riskgraph.plugins", home.resolve("plugins").toString()));
        String password = System.getenv().getOrDefault("RISKGRAPH_NEO4J_INITIAL_PASSWORD", "");

        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(home)
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress(host, port))
                .setConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED)
                .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.parse(pageCache))
                .setConfig(GraphDatabaseSettings.plugin_dir, plugins)
                .setConfig(GraphDatabaseSettings.procedure_unrestricted, List.of("apoc.*"))
                .setConfig(GraphDatabaseSettings.auth_enabled, !password.isEmpty())
                .build();

        if (!password.isEmpty()) {
            // First start leaves neo4j/neo4j with a forced change; set ours instead (idempotent).
            dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME).executeTransactionally(
                    "ALTER USER neo4j SET PLAINTEXT PASSWORD $password CHANGE NOT REQUIRED",
                    java.util.Map.of("password", password));
        }

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            dbms.shutdown();
            stopped.countDown();
        }, "riskgraph-neo4j-shutdown"));
        System.out.println("riskgraph-launcher: bolt://" + host + ":" + port + " ready");
        System.out.flush();
        stopped.await();
    }
}
