package riskgraph.launcher;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.configuration.ssl.ClientAuth;
import org.neo4j.configuration.ssl.SslPolicyConfig;
import org.neo4j.configuration.ssl.SslPolicyScope;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.QueryExecutionException;
import org.neo4j.io.ByteUnit;

/**
 * Runs Neo4j Community embedded with a Bolt connector until the process is told to stop.
 *
 * <p>Settings arrive as system properties (riskgraph.*) set by riskgraph/graph/server.py; the
 * password arrives in the environment so it never shows in a process listing. SIGTERM runs
 * the shutdown hook, which checkpoints and closes the store cleanly.
 *
 * <p>riskgraph/graph/server.py checks the same rules first and says what to do; the launcher
 * checks them again so that no way of starting it runs Neo4j without authentication, or
 * listening beyond loopback in plaintext.
 */
public final class Launcher {
    /** Exit status for a configuration that must not run (sysexits.h EX_CONFIG). */
    private static final int EX_CONFIG = 78;

    private Launcher() {}

    public static void main(String[] args) throws InterruptedException {
        Path home = Path.of(System.getProperty("riskgraph.home"));
        String host = System.getProperty("riskgraph.host", "127.0.0.1");
        int port = Integer.parseInt(System.getProperty("riskgraph.port", "7687"));
        String pageCache = System.getProperty("riskgraph.pagecache", "512m");
        Path plugins = Path.of(System.getProperty("riskgraph.plugins", home.resolve("plugins").toString()));
        List<String> allowlist = names(System.getProperty("riskgraph.procedures", ""));
        long txTimeoutS = Long.parseLong(System.getProperty("riskgraph.tx_timeout_s", "600"));
        String txMemory = System.getProperty("riskgraph.tx_memory", "0");
        String tlsCert = System.getProperty("riskgraph.tls_cert", "");
        String tlsKey = System.getProperty("riskgraph.tls_key", "");
        String password = System.getenv().getOrDefault("RISKGRAPH_NEO4J_INITIAL_PASSWORD", "");

        if (password.isBlank()) {
            refuse("no password in RISKGRAPH_NEO4J_INITIAL_PASSWORD: Neo4j is never run without "
                    + "authentication; start it with `riskgraph db start`");
        }
        boolean tls = !tlsCert.isEmpty() || !tlsKey.isEmpty();
        if (tls && (tlsCert.isEmpty() || tlsKey.isEmpty())) {
            refuse("Bolt TLS needs both a certificate and a key (RISKGRAPH_NEO4J_TLS_CERT and "
                    + "RISKGRAPH_NEO4J_TLS_KEY)");
        }
        if (!tls && !loopback(host)) {
            refuse("listening on " + host + " without TLS: use a loopback address or set "
                    + "RISKGRAPH_NEO4J_TLS_CERT and RISKGRAPH_NEO4J_TLS_KEY");
        }

        DatabaseManagementServiceBuilder builder = new DatabaseManagementServiceBuilder(home)
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress(host, port))
                .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.parse(pageCache))
                .setConfig(GraphDatabaseSettings.plugin_dir, plugins)
                // Only the extension procedures riskgraph calls are loaded (empty: none), and
                // none of them gets unrestricted access to Neo4j's internals.
                .setConfig(GraphDatabaseSettings.procedure_allowlist, allowlist)
                .setConfig(GraphDatabaseSettings.procedure_unrestricted, List.of())
                .setConfig(GraphDatabaseSettings.auth_enabled, true)
                .setConfig(GraphDatabaseSettings.transaction_timeout, Duration.ofSeconds(txTimeoutS))
                .setConfig(GraphDatabaseSettings.memory_transaction_max_size, ByteUnit.parse(txMemory));
        if (tls) {
            SslPolicyConfig bolt = SslPolicyConfig.forScope(SslPolicyScope.BOLT);
            Path certificates = home.resolve("certificates").resolve("bolt");
            try {
                // Neo4j wants the policy's trusted/ and revoked/ folders even when it does not
                // check client certificates.
                Files.createDirectories(certificates.resolve("trusted"));
                Files.createDirectories(certificates.resolve("revoked"));
            } catch (java.io.IOException e) {
                refuse("cannot create " + certificates + ": " + e.getMessage());
            }
            builder.setConfig(bolt.enabled, true)
                    .setConfig(bolt.base_directory, certificates)
                    .setConfig(bolt.public_certificate, Path.of(tlsCert).toAbsolutePath())
                    .setConfig(bolt.private_key, Path.of(tlsKey).toAbsolutePath())
                    .setConfig(bolt.client_auth, ClientAuth.NONE)
                    .setConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.REQUIRED);
        } else {
            builder.setConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED);
        }
        DatabaseManagementService dbms = builder.build();

        // First start leaves neo4j/neo4j with a forced change; set ours instead. A later
        // start finds it set already, which Neo4j refuses to set again: that is fine. Any
        // other failure stops the server (the shutdown hook is not in place yet).
        try {
            dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME).executeTransactionally(
                    "ALTER USER neo4j SET PLAINTEXT PASSWORD $password CHANGE NOT REQUIRED",
                    Map.of("password", password));
        } catch (QueryExecutionException e) {
            if (e.getMessage() == null || !e.getMessage().contains("cannot be the same")) {
                dbms.shutdown();
                throw e;
            }
        }

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            dbms.shutdown();
            stopped.countDown();
        }, "riskgraph-neo4j-shutdown"));
        String scheme = tls ? "bolt+s" : "bolt";
        System.out.println("riskgraph-launcher: " + scheme + "://" + host + ":" + port + " ready");
        System.out.flush();
        stopped.await();
    }

    private static List<String> names(String commaSeparated) {
        return Arrays.stream(commaSeparated.split(","))
                .map(String::strip)
                .filter(name -> !name.isEmpty())
                .toList();
    }

    private static boolean loopback(String host) {
        try {
            InetAddress[] addresses = InetAddress.getAllByName(host);
            return Arrays.stream(addresses).allMatch(InetAddress::isLoopbackAddress);
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static void refuse(String why) {
        System.err.println("riskgraph-launcher: refusing to start: " + why);
        System.err.flush();
        System.exit(EX_CONFIG);
    }
}
