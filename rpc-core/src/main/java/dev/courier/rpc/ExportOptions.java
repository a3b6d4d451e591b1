package dev.courier.rpc;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * How a service is exported: version, group, registry weight and tags, server-side limits, and who may
 * call it.
 * Not thread-safe; a builder.
 *
 * <pre>{@code
 * RpcServer.builder().export(Greeter.class, impl, ExportOptions.create().weight(200).rateLimit(1000)
 *         .methodMaxConcurrent("slowReport", 4))
 * }</pre>
 */
public final class ExportOptions {

    String version = "";
    String group = "";
    int weight = 100;
    final Set<String> tags = new TreeSet<>();
    boolean nonBlocking;
    int rateLimit;
    int maxConcurrent;
    final Map<String, Integer> methodRateLimits = new LinkedHashMap<>();
    final Map<String, Integer> methodMaxConcurrent = new LinkedHashMap<>();
    Set<String> allowed;
    final Map<String, Set<String>> methodAllowed = new LinkedHashMap<>();

    private ExportOptions() {}

    public static ExportOptions create() {
        return new ExportOptions();
    }

    public ExportOptions version(String version) {
        this.version = Objects.requireNonNull(version);
        return this;
    }

    public ExportOptions group(String group) {
        this.group = Objects.requireNonNull(group);
        return this;
    }

    /** The load-balancing weight registered (default 100; 0 = registered but sent no traffic). */
    public ExportOptions weight(int weight) {
        if (weight < 0) {
            throw new IllegalArgumentException("weight must be >= 0");
        }
        this.weight = weight;
        return this;
    }

    /** Routing tags registered with the instance, e.g. {@code canary}. */
    public ExportOptions tags(String... tags) {
        this.tags.addAll(Set.of(tags));
        return this;
    }

    /** Runs the service's methods on the I/O thread: only for methods that never block. */
    public ExportOptions nonBlocking(boolean nonBlocking) {
        this.nonBlocking = nonBlocking;
        return this;
    }

    /**
     * At most this many calls per second to the whole service (0 = no limit); more are refused with {@link
     * RateLimitedException}.
     */
    public ExportOptions rateLimit(int permitsPerSecond) {
        this.rateLimit = nonNegative(permitsPerSecond);
        return this;
    }

    /**
     * At most this many calls of the service running at once (0 = no limit); more are refused with {@link
     * ServerBusyException}.
     */
    public ExportOptions maxConcurrent(int calls) {
        this.maxConcurrent = nonNegative(calls);
        return this;
    }

    /** A rate limit on one method (by name, all overloads). */
    public ExportOptions methodRateLimit(String method, int permitsPerSecond) {
        methodRateLimits.put(method, nonNegative(permitsPerSecond));
        return this;
    }

    /** A concurrency limit on one method (by name, all overloads). */
    public ExportOptions methodMaxConcurrent(String method, int calls) {
        methodMaxConcurrent.put(method, nonNegative(calls));
        return this;
    }

    /**
     * Only these principals may call the service ({@code "*"}: any authenticated one); others are
     * refused with {@link PermissionDeniedException} before the method runs. Without it (the default)
     * every caller may. Principals come from the server's {@code Authenticator} or the client
     * certificate ({@link CallContext#principal()}).
     */
    public ExportOptions allow(String... principals) {
        this.allowed = principals(principals);
        return this;
    }

    /** Only these principals may call {@code method} (by name, all overloads); replaces {@link #allow} for it. */
    public ExportOptions allowMethod(String method, String... principals) {
        methodAllowed.put(Objects.requireNonNull(method, "method"), principals(principals));
        return this;
    }

    private static Set<String> principals(String... principals) {
        Set<String> set = new TreeSet<>();
        for (String p : principals) {
            if (p == null || p.isBlank()) {
                throw new IllegalArgumentException("principal names must be non-empty");
            }
            set.add(p);
        }
        return set;
    }

    private static int nonNegative(int v) {
        if (v < 0) {
            throw new IllegalArgumentException("limit must be >= 0");
        }
        return v;
    }
}
