package ru.edu.catalog.devnode;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.Configurator;
import org.opensearch.common.logging.LogConfigurator;
import org.opensearch.common.settings.Settings;
import org.opensearch.env.Environment;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.plugins.Plugin;

/**
 * Single-node OpenSearch for development and CI, started from plain Maven Central jars.
 *
 * <p>Options (each may also be given as a system property, shown in brackets):
 * <pre>
 *   --home DIR             path.home; config/, data/, logs/ live below it  [devnode.home, default var/search-node]
 *   --http-port N          HTTP port                                        [devnode.http.port, default 9200]
 *   --transport-port P     transport port or range                          [devnode.transport.port, default 9300-9399]
 *   --cluster-name NAME    cluster name                                     [devnode.cluster.name, default catalog-dev]
 *   -E key=value           any additional OpenSearch setting (repeatable)
 * </pre>
 * The node binds to 127.0.0.1 only and runs with discovery.type=single-node.
 */
public final class DevNode {

    /** Plugins the project cannot work without: the launcher stops if one of them does not load. */
    private static final List<String> REQUIRED_PLUGINS = List.of(
        "org.opensearch.transport.Netty4Plugin",
        "org.opensearch.analysis.common.CommonAnalysisPlugin"
    );

    /** Plugins that are loaded when their jar is on the classpath. */
    private static final List<String> OPTIONAL_PLUGINS = List.of(
        "org.opensearch.index.mapper.MapperExtrasPlugin",
        "org.opensearch.index.reindex.ReindexPlugin"
    );

    private static final String NODE_NAME = "devnode";

    private DevNode() {}

    /** Node subclass exposing the protected constructor that accepts classpath plugins. */
    static final class ClasspathPluginNode extends Node {
        ClasspathPluginNode(Environment environment, Collection<Class<? extends Plugin>> plugins) {
            super(environment, plugins, true);
        }
    }

    public static void main(String[] args) {
        try {
            run(args);
        } catch (UsageException e) {
            System.err.println("devnode: " + e.getMessage());
            System.exit(64);
        } catch (Throwable t) {
            System.err.println("devnode: failed to start OpenSearch: " + t);
            t.printStackTrace(System.err);
            System.exit(1);
        }
    }

    private static void run(String[] args) throws Exception {
        Map<String, String> options = parseArgs(args);
        Path home = Path.of(options.get("home")).toAbsolutePath().normalize();
        int httpPort = parsePort(options.get("http-port"), "--http-port");
        String transportPort = options.get("transport-port");
        if (!transportPort.matches("\\d{1,5}(-\\d{1,5})?")) {
            throw new UsageException("--transport-port must be a port or a range like 9300-9399, got " + transportPort);
        }

        // Load plugin classes first: a missing required plugin is a build problem, report it clearly.
        List<Class<? extends Plugin>> plugins = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (String name : REQUIRED_PLUGINS) {
            Class<? extends Plugin> plugin = loadPlugin(name);
            if (plugin == null) {
                missing.add(name);
            } else {
                plugins.add(plugin);
            }
        }
        if (!missing.isEmpty()) {
            throw new UsageException("required OpenSearch plugin class(es) not found on the classpath: "
                + String.join(", ", missing) + ". Rebuild with `scripts/search-node build`.");
        }
        List<String> skipped = new ArrayList<>();
        for (String name : OPTIONAL_PLUGINS) {
            Class<? extends Plugin> plugin = loadPlugin(name);
            if (plugin == null) {
                skipped.add(name);
            } else {
                plugins.add(plugin);
            }
        }

        Path config = home.resolve("config");
        Path data = home.resolve("data");
        Path logs = home.resolve("logs");
        for (Path dir : List.of(config, data, logs, home.resolve("plugins"), home.resolve("modules"))) {
            Files.createDirectories(dir);
        }
        writeLoggingConfig(config);

        Settings.Builder settings = Settings.builder()
            .put("path.home", home.toString())
            .put("path.data", data.toString())
            .put("path.logs", logs.toString())
            .put("cluster.name", options.get("cluster-name"))
            .put("node.name", NODE_NAME)
            .put("discovery.type", "single-node")
            .put("network.host", "127.0.0.1")
            .put("http.port", httpPort)
            .put("transport.port", transportPort)
            .put("cluster.routing.allocation.disk.threshold_enabled", false)
            .put("action.destructive_requires_name", false);
        for (Map.Entry<String, String> extra : extraSettings(options).entrySet()) {
            settings.put(extra.getKey(), extra.getValue());
        }

        Environment environment = InternalSettingsPreparer.prepareEnvironment(
            settings.build(), Map.of(), config, () -> NODE_NAME);
        LogConfigurator.registerErrorListener();
        LogConfigurator.setNodeName(NODE_NAME);
        LogConfigurator.configure(environment);

        org.apache.logging.log4j.Logger logger = LogManager.getLogger(DevNode.class);
        for (Class<? extends Plugin> plugin : plugins) {
            logger.info("classpath plugin: {}", plugin.getName());
        }
        for (String name : skipped) {
            logger.warn("optional plugin not on the classpath, skipped: {}", name);
        }

        Node node = new ClasspathPluginNode(environment, plugins);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
                if (!node.awaitClose(10, TimeUnit.SECONDS)) {
                    System.err.println("devnode: node did not close within 10 s");
                }
            } catch (IOException | InterruptedException e) {
                System.err.println("devnode: error while closing the node: " + e);
            } finally {
                stopped.countDown();
                Configurator.shutdown((LoggerContext) LogManager.getContext(false));
            }
        }, "devnode-shutdown"));

        node.start();
        logger.info("devnode ready: http://127.0.0.1:{} (home {})", httpPort, home);
        // Keep a non-daemon thread alive until the shutdown hook has closed the node.
        stopped.await();
    }

    @SuppressWarnings("unchecked")
    private static Class<? extends Plugin> loadPlugin(String name) {
        try {
            Class<?> cls = Class.forName(name, false, DevNode.class.getClassLoader());
            if (!Plugin.class.isAssignableFrom(cls)) {
                throw new UsageException(name + " is not an OpenSearch plugin class");
            }
            return (Class<? extends Plugin>) cls;
        } catch (ClassNotFoundException | NoClassDefFoundError e) {
            return null;
        }
    }

    private static void writeLoggingConfig(Path config) throws IOException {
        try (InputStream in = DevNode.class.getResourceAsStream("/devnode-log4j2.properties")) {
            if (in == null) {
                throw new IOException("resource devnode-log4j2.properties is missing from the launcher jar");
            }
            Files.copy(in, config.resolve("log4j2.properties"), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static Map<String, String> parseArgs(String[] args) {
        Map<String, String> options = new LinkedHashMap<>();
        options.put("home", System.getProperty("devnode.home", "var/search-node"));
        options.put("http-port", System.getProperty("devnode.http.port", "9200"));
        options.put("transport-port", System.getProperty("devnode.transport.port", "9300-9399"));
        options.put("cluster-name", System.getProperty("devnode.cluster.name", "catalog-dev"));
        int extra = 0;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (i + 1 >= args.length) {
                throw new UsageException("missing value for " + arg);
            }
            String value = args[++i];
            if (arg.equals("-E")) {
                options.put("E" + (extra++), value);
            } else if (arg.startsWith("--") && options.containsKey(arg.substring(2))) {
                options.put(arg.substring(2), value);
            } else {
                throw new UsageException("unknown option " + arg
                    + " (expected --home, --http-port, --transport-port, --cluster-name, -E key=value)");
            }
        }
        return options;
    }

    private static Map<String, String> extraSettings(Map<String, String> options) {
        Map<String, String> result = new LinkedHashMap<>();
        for (Map.Entry<String, String> entry : options.entrySet()) {
            if (entry.getKey().startsWith("E")) {
                String kv = entry.getValue();
                int eq = kv.indexOf('=');
                if (eq <= 0) {
                    throw new UsageException("-E expects key=value, got " + kv);
                }
                result.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
        }
        return result;
    }

    private static int parsePort(String value, String option) {
        try {
            int port = Integer.parseInt(value);
            if (port > 0 && port < 65536) {
                return port;
            }
        } catch (NumberFormatException e) {
            // fall through to the error below
        }
        throw new UsageException(option + " must be a port number, got " + value);
    }

    /** A configuration problem reported without a stack trace. */
    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }
}
