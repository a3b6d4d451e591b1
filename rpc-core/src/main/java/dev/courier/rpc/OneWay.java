package dev.courier.rpc;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a {@code void} service-interface method as one-way (fire and forget): the proxy returns once
 * the request is handed to a connection, the provider runs the method and sends no answer. The caller
 * learns of failures to hand it over (no provider, a connection that cannot be opened or is already
 * closed) as the usual exceptions, and of nothing after: not the method's exceptions, not whether it
 * ran, not a connection lost before the bytes left. A request handed over is never sent again.
 * Building a reference to an interface with a non-void {@code @OneWay} method fails.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface OneWay {}
