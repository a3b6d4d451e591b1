package dev.courier.rpc.internal.generic;

import java.util.concurrent.CompletableFuture;

/**
 * The two methods every exported service answers beside its own, for callers without its interface:
 * {@code $invoke} runs one of the service's methods on JSON arguments and answers its result as JSON;
 * {@code $describe} answers the service's methods and the fields of their types as JSON. Only strings
 * cross the wire, so the serializer's allowlist is not widened: the provider builds the declared
 * parameter types from the JSON itself, and nothing but those types.
 */
public interface GenericCalls {

    /** The method name of {@link #$invoke} on the wire. */
    String INVOKE = "$invoke";

    /** The method name of {@link #$describe} on the wire. */
    String DESCRIBE = "$describe";

    /**
     * Runs {@code method} of the service: a name ({@code getUser}), or a name with parameter types when
     * the name is overloaded ({@code getUser(long)}, simple or qualified names); {@code arguments} is a
     * JSON array with one element per parameter. Completes with the result as JSON ({@code null} for void).
     */
    CompletableFuture<String> $invoke(String method, String arguments);

    /** The service's description as JSON: see {@code ServiceDescriber}. */
    CompletableFuture<String> $describe();
}
