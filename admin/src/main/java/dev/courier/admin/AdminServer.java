package dev.courier.admin;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * The admin HTTP port of a daemon or an embedded server (the JDK's HTTP server; no web framework):
 *
 * <ul>
 *   <li>{@code GET /metrics}: the Prometheus text exposition of its {@link PrometheusMeterRegistry}
 *       (Micrometer names: {@code _total} counters, base units), with the JVM's memory, GC, thread and CPU
 *       meters unless told not to;</li>
 *   <li>{@code GET /live} and {@code GET /ready}: 200 or 503 from the owner's checks;</li>
 *   <li>the owner's routes: exact paths, or prefixes registered as {@code "/api/v1/topics/*"}.</li>
 * </ul>
 *
 * <p>Bound to 127.0.0.1 unless told otherwise. With a bearer token, every route but {@code /live} and
 * {@code /ready} requires {@code Authorization: Bearer <token>}. A request that changes state (anything
 * but GET and HEAD) is refused when it carries an {@code Origin} other than this port's own, so that a web
 * page in a browser on the same machine cannot drive it. Request bodies are capped at
 * {@link #MAX_BODY_BYTES} before a byte is buffered. Requests run on a pool of two threads; when its queue
 * is full, the accepting thread runs the request itself (admin traffic is light; nothing is dropped).
 *
 * <p>Thread-safe; {@link #close()} stops the port, its threads and the JVM meters it bound.
 */
public final class AdminServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AdminServer.class);

    /** The largest request body read; a longer one is answered 413 unread. */
    public static final int MAX_BODY_BYTES = 64 * 1024;

    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final HttpServer http;
    private final ThreadPoolExecutor pool;
    private final PrometheusMeterRegistry meters;
    private final boolean ownsMeters;
    private final JvmGcMetrics gcMetrics;
    private final Map<String, Route> exact;
    private final List<Route> prefixes;
    private final TokenCheck tokens;
    private final BooleanSupplier live;
    private final BooleanSupplier ready;
    private final Runnable beforeScrape;
    private final java.util.function.Predicate<String> metricsAccess;
    private final ClassLoader consoleLoader;
    private final String consoleDir;

    /** Names of console files: no directories, no dot-dot. */
    private static final java.util.regex.Pattern CONSOLE_FILE =
            java.util.regex.Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,100}");

    private record Route(String method, String path, AdminHandler handler) {}

    private AdminServer(Builder b) throws IOException {
        this.tokens = b.tokens;
        this.live = b.live;
        this.ready = b.ready;
        this.beforeScrape = b.beforeScrape;
        this.metricsAccess = b.metricsAccess;
        this.consoleLoader = b.consoleLoader;
        this.consoleDir = b.consoleDir;
        this.exact = Map.copyOf(b.exact);
        this.prefixes = List.copyOf(b.prefixes);
        this.ownsMeters = b.meters == null;
        this.meters = ownsMeters ? new PrometheusMeterRegistry(PrometheusConfig.DEFAULT) : b.meters;
        if (b.jvmMeters) {
            new JvmMemoryMetrics().bindTo(meters);
            new JvmThreadMetrics().bindTo(meters);
            new ProcessorMetrics().bindTo(meters);
            this.gcMetrics = new JvmGcMetrics();
            gcMetrics.bindTo(meters);
        } else {
            this.gcMetrics = null;
        }
        AtomicInteger threads = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(
                2,
                2,
                30,
                TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(32),
                r -> {
                    Thread t = new Thread(r, "courier-admin-" + threads.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                },
                new ThreadPoolExecutor.CallerRunsPolicy());
        pool.allowCoreThreadTimeOut(true);
        try {
            this.http = HttpServer.create(new InetSocketAddress(InetAddress.getByName(b.host), b.port), 64);
        } catch (IOException | RuntimeException e) {
            closeMeters();
            pool.shutdownNow();
            throw e;
        }
        http.setExecutor(pool);
        http.createContext("/", this::serve);
        http.start();
        log.info("Admin port listening on {}{}", url(), tokens == null ? "" : " (bearer token required)");
    }

    public static Builder builder() {
        return new Builder();
    }

    public int port() {
        return http.getAddress().getPort();
    }

    public InetSocketAddress address() {
        return http.getAddress();
    }

    /** e.g. {@code http://127.0.0.1:9090}. */
    public String url() {
        InetSocketAddress a = http.getAddress();
        String host = a.getAddress().getHostAddress();
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    /** The registry {@code /metrics} exposes; daemons register their meters in it. */
    public PrometheusMeterRegistry meters() {
        return meters;
    }

    @Override
    public void close() {
        http.stop(0);
        pool.shutdownNow();
        closeMeters();
    }

    private void closeMeters() {
        if (gcMetrics != null) {
            gcMetrics.close();
        }
        if (ownsMeters) {
            meters.close();
        }
    }

    private void serve(HttpExchange exchange) throws IOException {
        try (exchange) {
            AdminResponse response;
            try {
                response = answer(exchange);
            } catch (AdminException e) {
                response = AdminResponse.error(e.status(), e.getMessage());
            } catch (IllegalArgumentException e) {
                response = AdminResponse.error(400, e.getMessage());
            } catch (Exception e) {
                log.warn("Admin request {} {} failed", exchange.getRequestMethod(), exchange.getRequestURI(), e);
                response = AdminResponse.error(500, e.toString());
            }
            exchange.getResponseHeaders().set("Content-Type", response.contentType());
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
            if (response.contentType().startsWith("text/html")) {
                exchange.getResponseHeaders()
                        .set(
                                "Content-Security-Policy",
                                "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'");
            }
            boolean head = "HEAD".equals(exchange.getRequestMethod());
            exchange.sendResponseHeaders(
                    response.status(), head ? -1 : response.body().length == 0 ? -1 : response.body().length);
            if (!head && response.body().length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(response.body());
                }
            }
        }
    }

    private AdminResponse answer(HttpExchange exchange) throws Exception {
        String method = exchange.getRequestMethod();
        URI uri = exchange.getRequestURI();
        String path = uri.getPath() == null ? "/" : uri.getPath();
        boolean reads = "GET".equals(method) || "HEAD".equals(method);
        if (reads && path.equals("/live")) {
            return check(live, "live");
        }
        if (reads && path.equals("/ready")) {
            return check(ready, "ready");
        }
        if (reads && consoleDir != null && (path.equals("/") || path.startsWith("/console/"))) {
            // Static files hold no data: served without a token, which the page asks for and sends
            // with each API call it makes.
            return consoleFile(path.equals("/") ? "index.html" : path.substring("/console/".length()));
        }
        String principal = null;
        if (tokens != null) {
            principal = authenticate(exchange.getRequestHeaders().getFirst("Authorization"));
            if (principal == null) {
                exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer");
                throw new AdminException(401, "This admin port requires Authorization: Bearer <token>");
            }
        }
        if (!reads) {
            String origin = exchange.getRequestHeaders().getFirst("Origin");
            String host = exchange.getRequestHeaders().getFirst("Host");
            if (origin != null && (host == null || !origin.equals("http://" + host))) {
                throw new AdminException(403, "Cross-origin " + method + " from " + origin + " refused");
            }
        }
        if (reads && path.equals("/metrics")) {
            if (tokens != null && !metricsAccess.test(principal)) {
                throw new AdminException(403, "Principal '" + principal + "' may not read /metrics");
            }
            beforeScrape.run();
            return new AdminResponse(200, PROMETHEUS_TEXT, meters.scrape().getBytes(StandardCharsets.UTF_8));
        }
        String wanted = "HEAD".equals(method) ? "GET" : method;
        Route matched = exact.get(wanted + " " + path);
        List<String> allowed = new ArrayList<>();
        if (matched == null) {
            for (Route r : exact.values()) {
                if (r.path().equals(path)) {
                    allowed.add(r.method());
                }
            }
            for (Route r : prefixes) {
                if (path.startsWith(r.path())) {
                    if (r.method().equals(wanted)) {
                        matched = r;
                        break;
                    }
                    allowed.add(r.method());
                }
            }
        }
        if (matched == null) {
            if (allowed.isEmpty()) {
                throw AdminException.notFound("No route " + path);
            }
            exchange.getResponseHeaders().set("Allow", String.join(", ", allowed));
            throw new AdminException(405, path + " takes " + String.join(" or ", allowed) + ", not " + method);
        }
        byte[] body = reads ? new byte[0] : readBody(exchange);
        return matched.handler().handle(new AdminRequest(method, path, query(uri.getRawQuery()), body, principal));
    }

    private AdminResponse consoleFile(String name) throws IOException {
        if (!CONSOLE_FILE.matcher(name).matches()) {
            throw AdminException.notFound("No console file " + name);
        }
        try (InputStream in = consoleLoader.getResourceAsStream(consoleDir + "/" + name)) {
            if (in == null) {
                throw AdminException.notFound("No console file " + name);
            }
            return new AdminResponse(200, contentType(name), in.readAllBytes());
        }
    }

    private static String contentType(String name) {
        if (name.endsWith(".html")) {
            return "text/html; charset=utf-8";
        }
        if (name.endsWith(".js")) {
            return "text/javascript; charset=utf-8";
        }
        if (name.endsWith(".css")) {
            return "text/css; charset=utf-8";
        }
        if (name.endsWith(".svg")) {
            return "image/svg+xml";
        }
        if (name.endsWith(".png")) {
            return "image/png";
        }
        return "application/octet-stream";
    }

    private static AdminResponse check(BooleanSupplier check, String what) {
        boolean ok;
        try {
            ok = check.getAsBoolean();
        } catch (RuntimeException e) {
            return AdminResponse.text(503, "not " + what + ": " + e.getMessage() + "\n");
        }
        return ok ? AdminResponse.text(200, what + "\n") : AdminResponse.text(503, "not " + what + "\n");
    }

    /** The principal of a {@code Bearer} header's token, or null when it is missing or refused. */
    private String authenticate(String header) {
        if (header == null || !header.startsWith("Bearer ")) {
            return null;
        }
        String given = header.substring("Bearer ".length()).trim();
        try {
            return given.isEmpty() ? null : tokens.principal(given);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** Checks a bearer token: the principal it stands for, or null (or an exception) when it is refused. */
    @FunctionalInterface
    public interface TokenCheck {
        String principal(String token);
    }

    private static byte[] readBody(HttpExchange exchange) throws IOException {
        String declared = exchange.getRequestHeaders().getFirst("Content-Length");
        if (declared != null) {
            long length;
            try {
                length = Long.parseLong(declared.trim());
            } catch (NumberFormatException e) {
                throw AdminException.badRequest("Bad Content-Length " + declared);
            }
            if (length > MAX_BODY_BYTES) {
                throw new AdminException(413, "Body of " + length + " bytes; at most " + MAX_BODY_BYTES);
            }
        }
        // Chunked or honest: read at most one byte past the cap, whatever the header said.
        try (InputStream in = exchange.getRequestBody()) {
            byte[] body = in.readNBytes(MAX_BODY_BYTES + 1);
            if (body.length > MAX_BODY_BYTES) {
                throw new AdminException(413, "Body longer than " + MAX_BODY_BYTES + " bytes");
            }
            return body;
        }
    }

    private static Map<String, String> query(String raw) {
        if (raw == null || raw.isEmpty()) {
            return Map.of();
        }
        Map<String, String> params = new HashMap<>();
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            params.put(key, value);
        }
        return params;
    }

    /** Configures and starts an admin port; not thread-safe. */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int port;
        private PrometheusMeterRegistry meters;
        private boolean jvmMeters = true;
        private TokenCheck tokens;
        private BooleanSupplier live = () -> true;
        private BooleanSupplier ready = () -> true;
        private Runnable beforeScrape = () -> {};
        private java.util.function.Predicate<String> metricsAccess = principal -> true;
        private ClassLoader consoleLoader;
        private String consoleDir;
        private final Map<String, Route> exact = new LinkedHashMap<>();
        private final List<Route> prefixes = new ArrayList<>();

        private Builder() {}

        /** The address to bind (default 127.0.0.1: this machine only). */
        public Builder host(String host) {
            this.host = Objects.requireNonNull(host);
            return this;
        }

        /** The port (default 0: any free port, see {@link AdminServer#port()}). */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("Admin port " + port + " out of range");
            }
            this.port = port;
            return this;
        }

        /** The registry to expose (default: a new one, closed with the port; the caller closes one it gives). */
        public Builder meters(PrometheusMeterRegistry meters) {
            this.meters = Objects.requireNonNull(meters);
            return this;
        }

        /** Whether to bind the JVM's memory, GC, thread and CPU meters to the registry (default true). */
        public Builder jvmMeters(boolean jvmMeters) {
            this.jvmMeters = jvmMeters;
            return this;
        }

        /** Requires {@code Authorization: Bearer token} on every route but the health checks (null: none). */
        public Builder bearerToken(String token) {
            if (token == null) {
                this.tokens = null;
                return this;
            }
            if (token.isBlank()) {
                throw new IllegalArgumentException("Admin bearer token is blank");
            }
            byte[] expected = token.getBytes(StandardCharsets.UTF_8);
            this.tokens =
                    given -> MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), expected) ? "admin" : null;
            return this;
        }

        /**
         * Requires {@code Authorization: Bearer <token>} on every route but the health checks, checked by
         * {@code check}; handlers see the principal in {@link AdminRequest#principal()}.
         */
        public Builder tokens(TokenCheck check) {
            this.tokens = Objects.requireNonNull(check);
            return this;
        }

        /** {@code /live}: 200 while {@code check} is true (default always). */
        public Builder live(BooleanSupplier check) {
            this.live = Objects.requireNonNull(check);
            return this;
        }

        /** {@code /ready}: 200 while {@code check} is true (default always). */
        public Builder ready(BooleanSupplier check) {
            this.ready = Objects.requireNonNull(check);
            return this;
        }

        /** Runs before each {@code /metrics} scrape, e.g. to register the meters of things created since. */
        public Builder beforeScrape(Runnable hook) {
            this.beforeScrape = Objects.requireNonNull(hook);
            return this;
        }

        /**
         * Which authenticated principals may read {@code /metrics} when tokens are required (default:
         * every one the token check accepts).
         */
        public Builder metricsAccess(java.util.function.Predicate<String> allowed) {
            this.metricsAccess = Objects.requireNonNull(allowed);
            return this;
        }

        /**
         * Serves a web console: {@code GET /} answers {@code dir/index.html} and {@code GET /console/NAME}
         * the file {@code dir/NAME}, both from {@code loader}'s resources, without a token (the files
         * hold no data; the page sends the token with the API calls it makes).
         */
        public Builder console(ClassLoader loader, String dir) {
            this.consoleLoader = Objects.requireNonNull(loader);
            this.consoleDir = Objects.requireNonNull(dir);
            return this;
        }

        public Builder get(String path, AdminHandler handler) {
            return route("GET", path, handler);
        }

        public Builder post(String path, AdminHandler handler) {
            return route("POST", path, handler);
        }

        public Builder delete(String path, AdminHandler handler) {
            return route("DELETE", path, handler);
        }

        public Builder put(String path, AdminHandler handler) {
            return route("PUT", path, handler);
        }

        /** A route; {@code path} ending in {@code "*"} matches every path that starts with what precedes it. */
        public Builder route(String method, String path, AdminHandler handler) {
            Objects.requireNonNull(handler);
            if (!path.startsWith("/")) {
                throw new IllegalArgumentException("Route path must start with '/': " + path);
            }
            if (path.equals("/metrics") || path.equals("/live") || path.equals("/ready")) {
                throw new IllegalArgumentException(path + " is served by the admin port itself");
            }
            if (path.endsWith("*")) {
                prefixes.add(new Route(method, path.substring(0, path.length() - 1), handler));
                // Longest prefix first, so that /api/v1/topics/* wins over /api/v1/*.
                prefixes.sort(
                        (a, b) -> Integer.compare(b.path().length(), a.path().length()));
            } else {
                if (exact.putIfAbsent(method + " " + path, new Route(method, path, handler)) != null) {
                    throw new IllegalArgumentException(method + " " + path + " has a route already");
                }
            }
            return this;
        }

        /** Binds the port and starts serving. */
        public AdminServer start() {
            try {
                return new AdminServer(this);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("Cannot open the admin port on " + host + ":" + port, e);
            }
        }
    }
}
