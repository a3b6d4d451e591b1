package dev.courier.serialization;

/**
 * Service-provider interface through which serializers are found with {@link java.util.ServiceLoader}
 * ({@code META-INF/services/dev.courier.serialization.SerializerProvider}). A provider makes
 * serializers bound to one {@link TypeAllowlist}.
 *
 * <p>Implementations are stateless and thread-safe.
 */
public interface SerializerProvider {

    /** The frame-header id of the serializers this provider makes. */
    byte id();

    /** The configuration name of the serializers this provider makes, such as {@code kryo}. */
    String name();

    /** Makes a serializer that accepts exactly the classes {@code allowlist} allows. */
    Serializer create(TypeAllowlist allowlist);
}
