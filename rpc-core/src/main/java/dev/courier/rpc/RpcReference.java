package dev.courier.rpc;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Injects a proxy to a remote service into the annotated field (whose type must be the service
 * interface) when {@link Courier} creates or is handed the object.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
public @interface RpcReference {

    String version() default "";

    String group() default "";

    /** Deadline of each call in milliseconds. */
    long timeoutMillis() default 3_000;

    /** Failover retries. */
    int retries() default ReferenceBuilder.DEFAULT_RETRIES;

    /** One of {@link LoadBalance#NAMES}. */
    String loadBalance() default LoadBalance.P2C;

    /** One of {@link FaultTolerance}, case-insensitive: failover, failfast, failsafe, forking. */
    String cluster() default "failover";

    /** Call only providers with all these tags. */
    String[] tags() default {};

    /** The argument consistent hashing keys on. */
    int hashArgument() default 0;

    /** The serializer, {@code kryo} or {@code protostuff}; empty: the one {@link Courier.Builder#serializer} set. */
    String serializer() default "";

    /**
     * Request compression, {@code none}, {@code gzip} or {@code lz4}; empty: what {@link Courier.Builder#compression}
     * set.
     */
    String compression() default "";

    /** With {@link #compression()}: the smallest request body compressed. */
    int compressionThresholdBytes() default 1024;
}
