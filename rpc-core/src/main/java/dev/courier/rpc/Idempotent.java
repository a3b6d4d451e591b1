package dev.courier.rpc;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a service-interface method (or a whole interface) as safe to run more than once. Failover
 * retries a call that may have reached a provider (a timeout, a connection lost mid-call) only for
 * idempotent methods; calls that provably never ran (connect failure, a busy or draining provider) are
 * retried for every method.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface Idempotent {}
