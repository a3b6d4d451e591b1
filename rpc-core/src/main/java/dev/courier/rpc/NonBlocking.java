package dev.courier.rpc;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a service-interface method that never blocks, so the provider runs it on the connection's
 * I/O thread instead of handing it to the business pool (as {@code exportNonBlocking} does for a
 * whole service). It saves a thread hand-off per call and gives an ordering guarantee the pool
 * cannot: <b>calls to such methods from one connection run one at a time, in the order they were
 * sent.</b> A method that blocks stalls every connection sharing that I/O thread; return a
 * {@code CompletableFuture} for work that takes time.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface NonBlocking {}
