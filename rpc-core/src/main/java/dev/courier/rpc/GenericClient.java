package dev.courier.rpc;

import dev.courier.rpc.internal.Primitives;
import dev.courier.rpc.internal.generic.GenericCalls;
import dev.courier.rpc.internal.generic.Json;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Calls services without their interfaces, as Dubbo's generic invocation and grpcurl do: arguments go
 * as a JSON array (or as plain values: maps, lists, strings, numbers, booleans, {@code java.time}
 * values), results come back as JSON or as the same plain values. The provider builds each argument as
 * its parameter's declared type, POJOs from maps included, and writes the result as JSON; {@code java.time}
 * values travel as ISO-8601 strings. Every exported service answers generic calls; {@link #describe}
 * returns its methods and the fields of their types.
 *
 * <pre>{@code
 * try (RpcClient client = RpcClient.builder().registry("zookeeper://127.0.0.1:2181").build()) {
 *     GenericClient generic = GenericClient.of(client);
 *     Map<?, ?> user = (Map<?, ?>) generic.invoke("demo.UserService", "getUser", "[42]");
 *     Object found = generic.invoke("demo.UserService", "find", List.of(Map.of("name", "Ada")));
 * }
 * }</pre>
 *
 * <p>A call goes through the client's usual machinery: the registry, balancing, failover (generic calls
 * are not idempotent: a call that may have run is not repeated), deadlines, interceptors, TLS and the
 * token. Errors are the usual typed ones: {@link ServiceNotFoundException} for an unknown service or
 * method, {@link InvalidArgumentException} for arguments that do not fit, {@link RemoteException} when
 * the method threw, {@link RpcTimeoutException}, {@link NoProviderException}, ... A method name that
 * is overloaded with the same number of parameters takes the types: {@code "find(java.lang.String)"}
 * (simple names do too: {@code "find(String)"}).
 *
 * <p>Thread-safe; it uses the {@link RpcClient}'s connections and ends with it.
 */
public final class GenericClient {

    /** Extra time a synchronous caller waits past the deadline for the timer to fire. */
    private static final long SYNC_GRACE_MILLIS = 1_000;

    private final RpcClient client;
    private final String version;
    private final String group;
    private final Duration timeout;
    private final String loadBalance;
    private final int retries;
    private final String[] tags;
    private final InetSocketAddress address;
    private final Map<String, GenericCalls> references = new ConcurrentHashMap<>();

    private GenericClient(Builder b) {
        this.client = b.client;
        this.version = b.version;
        this.group = b.group;
        this.timeout = b.timeout;
        this.loadBalance = b.loadBalance;
        this.retries = b.retries;
        this.tags = b.tags.toArray(new String[0]);
        this.address = b.address;
    }

    /** Generic calls through {@code client} with the default version, group, deadline and balancing. */
    public static GenericClient of(RpcClient client) {
        return builder(client).build();
    }

    public static Builder builder(RpcClient client) {
        return new Builder(client);
    }

    /**
     * Calls {@code method} of {@code service} with the JSON array {@code arguments} and returns the
     * result as plain values (see {@link #invokeJson}).
     */
    public Object invoke(String service, String method, String arguments) {
        return Json.parse(invokeJson(service, method, arguments));
    }

    /** Calls {@code method} of {@code service} with {@code arguments}, one per parameter, written as JSON. */
    public Object invoke(String service, String method, List<?> arguments) {
        return invoke(service, method, Json.write(arguments));
    }

    /**
     * Calls {@code method} of {@code service} and returns the result as JSON ({@code null} for a void
     * method or a null result).
     *
     * @param method    a method name, or a name with parameter types where it is overloaded
     * @param arguments a JSON array, one element per parameter ({@code "[]"} or null for none)
     * @throws RpcException typed as described in the class comment
     */
    public String invokeJson(String service, String method, String arguments) {
        return await(invokeJsonAsync(service, method, arguments), service + "." + method);
    }

    /** {@link #invokeJson}, completing when the result arrives; it never waits past the deadline. */
    public CompletableFuture<String> invokeJsonAsync(String service, String method, String arguments) {
        Objects.requireNonNull(method, "method");
        return reference(service).$invoke(method, arguments == null ? "[]" : arguments);
    }

    /**
     * The service's description as plain values: its name, version and group, its methods (name,
     * signature, parameters with names and types, result type, whether it is asynchronous or
     * idempotent) and the fields of every type they reach outside the JDK.
     */
    @SuppressWarnings("unchecked")
    public Map<String, Object> describe(String service) {
        return (Map<String, Object>) Json.parse(describeJson(service));
    }

    /** {@link #describe} as the JSON the provider sent. */
    public String describeJson(String service) {
        return await(reference(service).$describe(), service + " (describe)");
    }

    private GenericCalls reference(String service) {
        if (service == null || service.isBlank()) {
            throw new IllegalArgumentException("No service named");
        }
        return references.computeIfAbsent(service, this::newReference);
    }

    private GenericCalls newReference(String service) {
        ReferenceBuilder<GenericCalls> rb = client.reference(GenericCalls.class)
                .serviceName(service)
                .version(version)
                .group(group)
                .timeout(timeout)
                .loadBalance(loadBalance)
                .retries(retries)
                .tags(tags);
        if (address != null) {
            rb.address(address);
        }
        return rb.build();
    }

    private String await(CompletableFuture<String> result, String what) {
        try {
            return result.get(timeout.toMillis() + SYNC_GRACE_MILLIS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = Primitives.unwrapCompletion(e);
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            throw new RpcException(what + " failed: " + cause, cause);
        } catch (TimeoutException e) {
            RpcTimeoutException expired =
                    new RpcTimeoutException(what + " timed out after " + timeout.toMillis() + " ms");
            result.completeExceptionally(expired);
            throw expired;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RpcException(what + " interrupted while waiting", e);
        }
    }

    /** Settings of the generic calls; every service called takes them. Not thread-safe. */
    public static final class Builder {
        private final RpcClient client;
        private String version = "";
        private String group = "";
        private Duration timeout = ReferenceBuilder.DEFAULT_TIMEOUT;
        private String loadBalance = LoadBalance.P2C;
        private int retries = ReferenceBuilder.DEFAULT_RETRIES;
        private final List<String> tags = new ArrayList<>();
        private InetSocketAddress address;

        private Builder(RpcClient client) {
            this.client = Objects.requireNonNull(client, "client");
        }

        public Builder version(String version) {
            this.version = Objects.requireNonNull(version, "version");
            return this;
        }

        public Builder group(String group) {
            this.group = Objects.requireNonNull(group, "group");
            return this;
        }

        /** The deadline of each call (default 3 s). */
        public Builder timeout(Duration timeout) {
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout must be positive: " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        /** One of {@link LoadBalance#NAMES} (default p2c). */
        public Builder loadBalance(String loadBalance) {
            this.loadBalance = Objects.requireNonNull(loadBalance, "loadBalance");
            return this;
        }

        /** Failover retries of a call that did not run (default 2). */
        public Builder retries(int retries) {
            this.retries = retries;
            return this;
        }

        /** Only providers with all these tags. */
        public Builder tags(String... tags) {
            this.tags.addAll(List.of(tags));
            return this;
        }

        /** Calls the provider at {@code host:port} instead of those the registry lists. */
        public Builder address(String host, int port) {
            this.address = new InetSocketAddress(host, port);
            return this;
        }

        public GenericClient build() {
            if (!LoadBalance.NAMES.contains(loadBalance)) {
                throw new IllegalArgumentException(
                        "Unknown load balancer '" + loadBalance + "'; use one of " + LoadBalance.NAMES);
            }
            return new GenericClient(this);
        }
    }
}
