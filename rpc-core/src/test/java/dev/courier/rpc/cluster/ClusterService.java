package dev.courier.rpc.cluster;

import dev.courier.rpc.Idempotent;

/** The service the cluster tests call; each provider answers with its name. */
public interface ClusterService {

    /** The provider's name; safe to repeat. */
    @Idempotent
    String name();

    /** The provider's name after {@code millis}; safe to repeat. */
    @Idempotent
    String slowName(long millis);

    /** Records {@code value} (not idempotent) and returns the provider's name. */
    String record(String value);

    /** Records {@code value} (not idempotent) after {@code millis} or once released; returns the provider's name. */
    String slowRecord(long millis, String value);

    /** The attachment {@code key} as the provider saw it. */
    String attachment(String key);

    /** Always throws. */
    int fail();
}
