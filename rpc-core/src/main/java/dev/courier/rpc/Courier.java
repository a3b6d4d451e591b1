package dev.courier.rpc;

import dev.courier.admin.AdminResponse;
import dev.courier.admin.AdminServer;
import dev.courier.registry.CachingRegistry;
import dev.courier.registry.Registries;
import dev.courier.registry.Registry;
import dev.courier.rpc.internal.MethodKeys;
import dev.courier.rpc.internal.server.ProviderAdmin;
import dev.courier.serialization.Compression;
import dev.courier.serialization.CompressionPolicy;
import dev.courier.serialization.Serializers;
import io.github.classgraph.ClassGraph;
import io.github.classgraph.ClassInfo;
import io.github.classgraph.ScanResult;
import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Plain-Java bootstrap: scans packages for {@link RpcService} classes (with ClassGraph), exports them on
 * one server registered in the registry, and injects {@link RpcReference} fields of the services and of
 * objects handed to it.
 *
 * <pre>{@code
 * try (Courier courier = Courier.builder().registry("embedded://").scan("com.example").start()) {
 *     MyApp app = courier.inject(new MyApp());   // fills its @RpcReference fields
 *     ...
 * }
 * }</pre>
 *
 * <p>Everything is checked before anything starts: two services of one key, a service without an
 * interface or a no-arg constructor, a reference field that is not an interface, an unknown load
 * balancer or fault-tolerance mode all fail {@link Builder#start()} with a
 * {@link CourierConfigurationException} saying what to fix.
 *
 * <p>Thread-safe. {@link #close()} deregisters and drains the server (graceful), then closes the client
 * and the registry it connected; it is idempotent.
 */
public final class Courier implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Courier.class);

    private final Registry registry;
    private final RpcServer server;
    private final RpcClient client;
    private final Map<Class<?>, Object> services;
    private final AdminServer admin;
    private final PrometheusMeterRegistry ownedMeters;
    private final ReferenceDefaults referenceDefaults;
    private boolean closed;

    private Courier(
            Registry registry,
            RpcServer server,
            RpcClient client,
            Map<Class<?>, Object> services,
            AdminServer admin,
            PrometheusMeterRegistry ownedMeters,
            ReferenceDefaults referenceDefaults) {
        this.referenceDefaults = referenceDefaults;
        this.admin = admin;
        this.ownedMeters = ownedMeters;
        this.registry = registry;
        this.server = server;
        this.client = client;
        this.services = services;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Fills the {@link RpcReference} fields of {@code target} with proxies; returns {@code target}. */
    public <T> T inject(T target) {
        return checkAndInject(client, target, referenceDefaults);
    }

    /** A proxy to {@code serviceInterface} with the defaults of {@link RpcReference} and of this Courier's builder. */
    public <T> T reference(Class<T> serviceInterface) {
        return client.reference(serviceInterface)
                .serializer(referenceDefaults.serializer())
                .compression(
                        referenceDefaults.compression().codec(),
                        referenceDefaults.compression().thresholdBytes())
                .build();
    }

    /** The instance Courier created of the {@link RpcService} class {@code type}, or {@code null}. */
    public <T> T service(Class<T> type) {
        return type.cast(services.get(type));
    }

    /** The server, or {@code null} if no service was found. */
    public RpcServer server() {
        return server;
    }

    public RpcClient client() {
        return client;
    }

    /** The admin port ({@link Builder#adminPort}), or -1 when it is not open. */
    public int adminPort() {
        return admin != null ? admin.port() : server != null ? server.adminPort() : -1;
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        if (server != null) {
            server.close();
        }
        client.close();
        registry.close();
        if (admin != null) {
            admin.close();
        }
        if (ownedMeters != null) {
            ownedMeters.close();
        }
    }

    /** Configures and starts Courier; not thread-safe. */
    public static final class Builder {
        private String registryUrl = "embedded://";
        private final List<String> packages = new ArrayList<>();
        private final List<Object> beans = new ArrayList<>();
        private String host = "127.0.0.1";
        private int port;
        private MeterRegistry meterRegistry;
        private Duration drainTimeout = Duration.ofSeconds(10);
        private TransportOptions transport = TransportOptions.defaults();
        private Authenticator authenticator;
        private int adminPort = -1;
        private String adminToken;
        private final List<ClientInterceptor> clientInterceptors = new ArrayList<>();
        private final List<ServerInterceptor> serverInterceptors = new ArrayList<>();
        private String serializer = Serializers.DEFAULT_NAME;
        private CompressionPolicy compression = CompressionPolicy.none();
        private java.nio.file.Path registryCacheDirectory;

        private Builder() {}

        /**
         * Adds an interceptor around every call of every reference. Those listed in
         * {@code META-INF/services/dev.courier.rpc.ClientInterceptor} are added too, after these.
         */
        public Builder clientInterceptor(ClientInterceptor interceptor) {
            clientInterceptors.add(Objects.requireNonNull(interceptor, "interceptor"));
            return this;
        }

        /**
         * Adds an interceptor around every call the server runs. Those listed in
         * {@code META-INF/services/dev.courier.rpc.ServerInterceptor} are added too, after these.
         */
        public Builder serverInterceptor(ServerInterceptor interceptor) {
            serverInterceptors.add(Objects.requireNonNull(interceptor, "interceptor"));
            return this;
        }

        /**
         * The serializer of the server and, unless a {@link RpcReference#serializer()} says otherwise, of
         * the references: {@code kryo} (default) or {@code protostuff}.
         */
        public Builder serializer(String serializer) {
            this.serializer = Objects.requireNonNull(serializer, "serializer");
            return this;
        }

        /**
         * Compresses the server's responses and, unless a {@link RpcReference#compression()} says
         * otherwise, the references' requests of at least {@code thresholdBytes} with {@code codec}
         * (default: never).
         */
        public Builder compression(Compression codec, int thresholdBytes) {
            this.compression = new CompressionPolicy(codec, thresholdBytes);
            return this;
        }

        /**
         * Keeps the last good list of every service in files under {@code directory}, so that a
         * restarted consumer can call while the registry is unreachable (default: memory only).
         */
        public Builder registryCacheDirectory(java.nio.file.Path directory) {
            this.registryCacheDirectory = Objects.requireNonNull(directory, "directory");
            return this;
        }

        /**
         * Opens the admin HTTP port on 127.0.0.1 (opt-in; 0: any free port, see {@link Courier#adminPort()}):
         * the provider's routes of {@link RpcServer.Builder#adminPort}, with {@code /ls} listing the
         * references too and {@code /metrics} the client's meters and the server's. Without services it
         * serves {@code /metrics}, {@code /live}, {@code /ready} and {@code /ls}.
         */
        public Builder adminPort(int adminPort) {
            if (adminPort < 0 || adminPort > 65535) {
                throw new IllegalArgumentException("adminPort must be 0..65535");
            }
            this.adminPort = adminPort;
            return this;
        }

        /** Requires {@code Authorization: Bearer token} on the admin port, but for {@code /live} and {@code /ready}. */
        public Builder adminToken(String adminToken) {
            this.adminToken = adminToken;
            return this;
        }

        /**
         * The transport settings of the server and of the client (default plaintext). One
         * {@link TlsOptions} serves both: its certificate is the server's and, for mutual TLS, the
         * client's; its trusted CA checks the peer on both sides.
         */
        public Builder transport(TransportOptions transport) {
            this.transport = Objects.requireNonNull(transport, "transport");
            return this;
        }

        /** Authenticates the connections to the server; see {@link RpcServer.Builder#authenticator}. */
        public Builder authenticator(Authenticator authenticator) {
            this.authenticator = authenticator;
            return this;
        }

        /** The registry URL (default {@code embedded://}); Courier connects and owns the client. */
        public Builder registry(String url) {
            this.registryUrl = Objects.requireNonNull(url);
            return this;
        }

        /** Packages to scan for {@link RpcService} classes (and their sub-packages). */
        public Builder scan(String... packageNames) {
            packages.addAll(Arrays.asList(packageNames));
            return this;
        }

        /** Objects whose {@link RpcReference} fields are checked and injected at start. */
        public Builder inject(Object... objects) {
            beans.addAll(Arrays.asList(objects));
            return this;
        }

        /** Host to listen on and register (default 127.0.0.1). */
        public Builder host(String host) {
            this.host = host;
            return this;
        }

        /** Port to listen on (default 0: any free port). */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        public Builder meterRegistry(MeterRegistry meterRegistry) {
            this.meterRegistry = meterRegistry;
            return this;
        }

        /** How long closing waits for calls in flight (default 10 s). */
        public Builder drainTimeout(Duration drainTimeout) {
            this.drainTimeout = drainTimeout;
            return this;
        }

        /**
         * Scans, checks, exports, registers and injects.
         *
         * @throws CourierConfigurationException listing every problem found, before anything started
         */
        public Courier start() {
            List<String> problems = new ArrayList<>();
            Map<Class<?>, Class<?>> serviceClasses = scanServices(problems);
            for (Class<?> type : serviceClasses.keySet()) {
                checkReferences(type, problems);
            }
            for (Object bean : beans) {
                checkReferences(bean.getClass(), problems);
            }
            if (!serviceClasses.isEmpty()
                    && transport.tls() != null
                    && transport.tls().certChain() == null) {
                problems.add("TLS is on but has no certificate for the server of " + serviceClasses.size()
                        + " services: give TlsOptions.keyCertChain(cert, key)");
            }
            Map<Class<?>, Object> instances = new LinkedHashMap<>();
            if (problems.isEmpty()) {
                serviceClasses.keySet().forEach(type -> instantiate(type, instances, problems));
            }
            if (!problems.isEmpty()) {
                throw new CourierConfigurationException(problems);
            }

            // With an admin port the meters go (also) into a Prometheus registry, which /metrics shows.
            PrometheusMeterRegistry found = ProviderAdmin.prometheusIn(meterRegistry);
            PrometheusMeterRegistry ownedMeters =
                    adminPort >= 0 && found == null ? new PrometheusMeterRegistry(PrometheusConfig.DEFAULT) : null;
            MeterRegistry meters = ownedMeters == null
                    ? meterRegistry
                    : meterRegistry == null
                            ? ownedMeters
                            : new CompositeMeterRegistry(Clock.SYSTEM, List.of(meterRegistry, ownedMeters));
            List<ClientInterceptor> clientChain = new ArrayList<>(clientInterceptors);
            java.util.ServiceLoader.load(ClientInterceptor.class).forEach(clientChain::add);
            List<ServerInterceptor> serverChain = new ArrayList<>(serverInterceptors);
            java.util.ServiceLoader.load(ServerInterceptor.class).forEach(serverChain::add);
            ReferenceDefaults defaults = new ReferenceDefaults(serializer, compression);
            Registry registry = new CachingRegistry(Registries.connect(registryUrl), registryCacheDirectory);
            RpcServer server = null;
            RpcClient client = null;
            AdminServer admin = null;
            try {
                RpcClient.Builder cb = RpcClient.builder().registry(registry).transport(transport);
                if (meters != null) {
                    cb.meterRegistry(meters);
                }
                clientChain.forEach(cb::interceptor);
                client = cb.build();
                for (Object instance : instances.values()) {
                    injectReferences(client, instance, defaults);
                }
                for (Object bean : beans) {
                    injectReferences(client, bean, defaults);
                }
                if (!instances.isEmpty()) {
                    RpcServer.Builder sb = RpcServer.builder()
                            .host(host)
                            .port(port)
                            .registry(registry)
                            .drainTimeout(drainTimeout)
                            .transport(transport)
                            .authenticator(authenticator)
                            .serializer(serializer)
                            .compression(compression);
                    serverChain.forEach(sb::interceptor);
                    if (meters != null) {
                        sb.meterRegistry(meters);
                    }
                    if (adminPort >= 0) {
                        sb.adminPort(adminPort)
                                .adminToken(adminToken)
                                .adminExtras(client::describeReferences, ownedMeters != null);
                    }
                    for (Map.Entry<Class<?>, Class<?>> e : serviceClasses.entrySet()) {
                        export(
                                sb,
                                e.getValue(),
                                instances.get(e.getKey()),
                                e.getKey().getAnnotation(RpcService.class));
                    }
                    server = sb.start();
                } else if (adminPort >= 0) {
                    RpcClient c = client;
                    admin = AdminServer.builder()
                            .port(adminPort)
                            .bearerToken(adminToken)
                            .meters(ownedMeters != null ? ownedMeters : found)
                            .jvmMeters(ownedMeters != null)
                            .get(
                                    "/ls",
                                    r -> AdminResponse.json(
                                            Map.of("services", List.of(), "references", c.describeReferences())))
                            .start();
                }
                log.info("Courier started: {} services from {}, registry {}", instances.size(), packages, registryUrl);
                return new Courier(registry, server, client, Map.copyOf(instances), admin, ownedMeters, defaults);
            } catch (RuntimeException e) {
                if (admin != null) {
                    admin.close();
                }
                if (server != null) {
                    server.close();
                }
                if (client != null) {
                    client.close();
                }
                registry.close();
                if (ownedMeters != null) {
                    ownedMeters.close();
                }
                throw e;
            }
        }

        @SuppressWarnings("unchecked")
        private static <T> void export(RpcServer.Builder sb, Class<?> iface, Object impl, RpcService a) {
            sb.export(
                    (Class<T>) iface,
                    (T) impl,
                    ExportOptions.create()
                            .version(a.version())
                            .group(a.group())
                            .weight(a.weight())
                            .tags(a.tags())
                            .rateLimit(a.rateLimit())
                            .maxConcurrent(a.maxConcurrent()));
        }

        /** Service class -> exported interface, checking each class and that no key is exported twice. */
        private Map<Class<?>, Class<?>> scanServices(List<String> problems) {
            Map<Class<?>, Class<?>> result = new LinkedHashMap<>();
            if (packages.isEmpty()) {
                return result;
            }
            Map<String, String> keys = new LinkedHashMap<>();
            try (ScanResult scan = new ClassGraph()
                    .enableClassInfo()
                    .enableAnnotationInfo()
                    .acceptPackages(packages.toArray(new String[0]))
                    .scan()) {
                for (ClassInfo info : scan.getClassesWithAnnotation(RpcService.class)) {
                    Class<?> type = info.loadClass();
                    Class<?> iface = exportedInterface(type, problems);
                    if (iface == null) {
                        continue;
                    }
                    RpcService a = type.getAnnotation(RpcService.class);
                    String key = MethodKeys.serviceKey(iface.getName(), a.version(), a.group());
                    String previous = keys.putIfAbsent(key, type.getName());
                    if (previous != null) {
                        problems.add("Two providers of " + key + " in one process: " + previous + " and "
                                + type.getName() + ". Remove @RpcService from one, or give them different"
                                + " version or group attributes");
                        continue;
                    }
                    result.put(type, iface);
                }
            }
            return result;
        }

        private static Class<?> exportedInterface(Class<?> type, List<String> problems) {
            RpcService a = type.getAnnotation(RpcService.class);
            if (type.isInterface() || Modifier.isAbstract(type.getModifiers())) {
                problems.add("@RpcService is on " + type.getName() + ", which is not a concrete class. Put it on"
                        + " the implementation");
                return null;
            }
            if (a.value() != void.class) {
                if (!a.value().isInterface() || !a.value().isAssignableFrom(type)) {
                    problems.add("@RpcService(" + a.value().getSimpleName() + ".class) on " + type.getName()
                            + ": the value must be an interface the class implements");
                    return null;
                }
                return a.value();
            }
            Class<?>[] interfaces = type.getInterfaces();
            if (interfaces.length != 1) {
                problems.add(type.getName() + " implements " + interfaces.length + " interfaces; name the one to"
                        + " export with @RpcService(TheInterface.class)");
                return null;
            }
            return interfaces[0];
        }

        private static void instantiate(Class<?> type, Map<Class<?>, Object> instances, List<String> problems) {
            try {
                Constructor<?> c = type.getDeclaredConstructor();
                c.setAccessible(true);
                instances.put(type, c.newInstance());
            } catch (NoSuchMethodException e) {
                problems.add(type.getName() + " has no no-argument constructor; add one so Courier can create it");
            } catch (ReflectiveOperationException | RuntimeException e) {
                problems.add("Could not create " + type.getName() + ": " + e);
            }
        }
    }

    /**
     * Checks the {@link RpcReference} fields of {@code target} and fills them with proxies of
     * {@code client}, as {@link #inject} does; for containers that create the objects themselves (the
     * Spring Boot starter).
     *
     * @throws CourierConfigurationException listing every badly declared field, before any is set
     */
    public static <T> T injectInto(RpcClient client, T target) {
        return injectInto(client, target, Serializers.DEFAULT_NAME);
    }

    /**
     * As {@link #injectInto(RpcClient, Object)}, the proxies sending with {@code serializer} ({@code kryo}, {@code
     * protostuff}).
     */
    public static <T> T injectInto(RpcClient client, T target, String serializer) {
        return checkAndInject(client, target, new ReferenceDefaults(serializer, CompressionPolicy.none()));
    }

    private static <T> T checkAndInject(RpcClient client, T target, ReferenceDefaults defaults) {
        List<String> problems = new ArrayList<>();
        checkReferences(target.getClass(), problems);
        if (!problems.isEmpty()) {
            throw new CourierConfigurationException(problems);
        }
        injectReferences(client, target, defaults);
        return target;
    }

    /** What a reference uses when its annotation leaves the serializer or the compression unset. */
    private record ReferenceDefaults(String serializer, CompressionPolicy compression) {}

    /** Whether {@code type} or a superclass has an {@link RpcReference} field. */
    public static boolean hasReferences(Class<?> type) {
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (f.isAnnotationPresent(RpcReference.class)) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Adds {@code instance}, an object of the {@link RpcService} class {@code type} created elsewhere (a
     * Spring bean, say, which may be a proxy of it), to the services {@code server} exports, with the
     * interface and options its annotation names.
     *
     * @return the service key exported ({@code interface[:version][:group]}), to refuse duplicates
     * @throws CourierConfigurationException if {@code type} is not a concrete class with one exported interface
     */
    public static String exportService(RpcServer.Builder server, Class<?> type, Object instance) {
        RpcService a = type.getAnnotation(RpcService.class);
        if (a == null) {
            throw new CourierConfigurationException(List.of(type.getName() + " has no @RpcService"));
        }
        List<String> problems = new ArrayList<>();
        Class<?> iface = Builder.exportedInterface(type, problems);
        if (iface == null) {
            throw new CourierConfigurationException(problems);
        }
        Builder.export(server, iface, instance, a);
        return MethodKeys.serviceKey(iface.getName(), a.version(), a.group());
    }

    /** The codec called {@code name} (case-insensitive), or {@code null}. */
    private static Compression compressionNamed(String name) {
        for (Compression c : Compression.values()) {
            if (c.name().equalsIgnoreCase(name)) {
                return c;
            }
        }
        return null;
    }

    private static void checkReferences(Class<?> type, List<String> problems) {
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                RpcReference r = f.getAnnotation(RpcReference.class);
                if (r == null) {
                    continue;
                }
                String where = "@RpcReference " + c.getSimpleName() + "." + f.getName();
                if (!f.getType().isInterface()) {
                    problems.add(where + " has type " + f.getType().getName() + ", which is not an interface;"
                            + " declare the field as the service interface");
                }
                if (Modifier.isStatic(f.getModifiers()) || Modifier.isFinal(f.getModifiers())) {
                    problems.add(where + " is static or final; make it a non-final instance field");
                }
                if (!LoadBalance.NAMES.contains(r.loadBalance())) {
                    problems.add(where + " names unknown load balancer '" + r.loadBalance() + "'; use one of "
                            + LoadBalance.NAMES);
                }
                try {
                    FaultTolerance.parse(r.cluster());
                } catch (IllegalArgumentException e) {
                    problems.add(where + ": " + e.getMessage());
                }
                if (!r.serializer().isEmpty()) { // the installed serializers, plug-ins included
                    List<String> installed =
                            Serializers.load(dev.courier.serialization.TypeAllowlist.defaults()).all().stream()
                                    .map(dev.courier.serialization.Serializer::name)
                                    .sorted()
                                    .toList();
                    if (!installed.contains(r.serializer())) {
                        problems.add(
                                where + " names unknown serializer '" + r.serializer() + "'; use one of " + installed);
                    }
                }
                if (!r.compression().isEmpty() && compressionNamed(r.compression()) == null) {
                    problems.add(where + " names unknown compression '" + r.compression() + "'; use none, gzip or lz4");
                }
                if (r.compressionThresholdBytes() < 0) {
                    problems.add(where + " needs compressionThresholdBytes >= 0");
                }
                if (r.timeoutMillis() <= 0 || r.retries() < 0 || r.hashArgument() < 0) {
                    problems.add(where + " needs timeoutMillis > 0, retries >= 0 and hashArgument >= 0");
                }
            }
        }
    }

    private static void injectReferences(RpcClient client, Object target, ReferenceDefaults defaults) {
        for (Class<?> c = target.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                RpcReference r = f.getAnnotation(RpcReference.class);
                if (r == null) {
                    continue;
                }
                ReferenceBuilder<?> builder = client.reference(f.getType())
                        .version(r.version())
                        .group(r.group())
                        .timeout(Duration.ofMillis(r.timeoutMillis()))
                        .retries(r.retries())
                        .loadBalance(r.loadBalance())
                        .faultTolerance(FaultTolerance.parse(r.cluster()))
                        .tags(r.tags())
                        .hashArgument(r.hashArgument())
                        .serializer(r.serializer().isEmpty() ? defaults.serializer() : r.serializer());
                CompressionPolicy compression = r.compression().isEmpty()
                        ? defaults.compression()
                        : new CompressionPolicy(compressionNamed(r.compression()), r.compressionThresholdBytes());
                Object proxy = builder.compression(compression.codec(), compression.thresholdBytes())
                        .build();
                try {
                    f.setAccessible(true);
                    f.set(target, proxy);
                } catch (IllegalAccessException | RuntimeException e) {
                    throw new IllegalStateException("Cannot inject " + c.getName() + "." + f.getName() + ": " + e, e);
                }
            }
        }
    }
}
