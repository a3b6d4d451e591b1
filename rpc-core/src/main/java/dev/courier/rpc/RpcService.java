package dev.courier.rpc;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Exports the annotated class when {@link Courier} scans its package. The class needs a public
 * no-argument constructor; its {@link RpcReference} fields are injected before it serves.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface RpcService {

    /** The interface to export; may be left out when the class implements exactly one interface. */
    Class<?> value() default void.class;

    String version() default "";

    String group() default "";

    /** Load-balancing weight registered (default 100). */
    int weight() default 100;

    /** Routing tags registered. */
    String[] tags() default {};

    /** Calls per second to the whole service; 0 = unlimited. */
    int rateLimit() default 0;

    /** Calls of the service running at once; 0 = unlimited. */
    int maxConcurrent() default 0;

    /**
     * The principals that may call the service ({@code "*"}: any authenticated one); empty (the
     * default) lets every caller. See {@link ExportOptions#allow}.
     */
    String[] allow() default {};
}
