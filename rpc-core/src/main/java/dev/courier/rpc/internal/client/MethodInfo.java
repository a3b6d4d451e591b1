package dev.courier.rpc.internal.client;

import dev.courier.rpc.Idempotent;
import dev.courier.rpc.OneWay;
import dev.courier.rpc.internal.MethodKeys;
import dev.courier.rpc.internal.protocol.MethodKey;

import java.lang.reflect.Method;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * What a call of one interface method needs, computed once per reference. Immutable.
 */
public final class MethodInfo {
    final Method method;
    final String service;
    final String version;
    final String group;
    final String name;
    final String params;
    /** The five strings that name the method on the wire, made once for every call of it. */
    final MethodKey key;

    final boolean async;
    final boolean idempotent;
    /** {@link OneWay}: sent with the one-way flag, done once handed to a connection. */
    final boolean oneWay;

    final Class<?> resultType;
    final String description;

    MethodInfo(Class<?> serviceInterface, String service, Method m, String version, String group) {
        this.method = m;
        this.service = service;
        this.version = version;
        this.group = group;
        this.name = m.getName();
        this.params = MethodKeys.parameterDescriptor(m);
        this.key = new MethodKey(service, version, group, name, params);
        Class<?> rt = m.getReturnType();
        this.async = rt == CompletableFuture.class || rt == CompletionStage.class;
        this.idempotent =
                m.isAnnotationPresent(Idempotent.class) || serviceInterface.isAnnotationPresent(Idempotent.class);
        this.oneWay = m.isAnnotationPresent(OneWay.class);
        if (oneWay && rt != void.class) {
            throw new IllegalArgumentException("@OneWay method " + serviceInterface.getName() + "." + m.getName()
                    + " returns " + rt.getName() + "; a one-way call has no answer: declare it void");
        }
        this.resultType = async ? Object.class : rt;
        this.description = service.substring(service.lastIndexOf('.') + 1) + "." + m.getName();
    }

    public boolean idempotent() {
        return idempotent;
    }

    /** The value a failsafe call returns when it fails. */
    public Class<?> resultType() {
        return resultType;
    }

    public String description() {
        return description;
    }
}
