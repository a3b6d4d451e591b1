package dev.courier.rpc.internal.server;

import dev.courier.rpc.internal.MethodKeys;
import dev.courier.rpc.internal.generic.GenericCalls;
import dev.courier.rpc.internal.generic.GenericEndpoint;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One exported service: an interface, its implementation, and an invoker per interface method, plus
 * the {@link GenericCalls} every service answers for callers without its interface.
 *
 * <p>Immutable and thread-safe.
 */
public final class ExportedService {

    private final Class<?> serviceInterface;
    private final String version;
    private final String group;
    private final boolean nonBlocking;
    private final Map<String, MethodInvoker> methods;
    private final GenericEndpoint generic;

    public ExportedService(
            Class<?> serviceInterface, Object implementation, String version, String group, boolean nonBlocking) {
        if (!serviceInterface.isInterface()) {
            throw new IllegalArgumentException(
                    serviceInterface.getName() + " is not an interface; export an interface");
        }
        if (!serviceInterface.isInstance(implementation)) {
            throw new IllegalArgumentException(
                    implementation.getClass().getName() + " does not implement " + serviceInterface.getName());
        }
        this.serviceInterface = serviceInterface;
        this.version = version;
        this.group = group;
        this.nonBlocking = nonBlocking;
        Map<String, MethodInvoker> map = new HashMap<>();
        for (Method m : serviceInterface.getMethods()) {
            if (Modifier.isStatic(m.getModifiers())) {
                continue;
            }
            if (m.getName().equals(GenericCalls.INVOKE) || m.getName().equals(GenericCalls.DESCRIBE)) {
                throw new IllegalArgumentException("Cannot export " + serviceInterface.getName() + ": the method name "
                        + m.getName() + " is reserved for generic calls");
            }
            map.put(
                    MethodKeys.methodKey(m.getName(), MethodKeys.parameterDescriptor(m)),
                    new MethodInvoker(m, implementation));
        }
        this.generic = new GenericEndpoint(
                serviceInterface, MethodKeys.version(version), MethodKeys.group(group), List.copyOf(map.values()));
        for (Method m : GenericCalls.class.getMethods()) {
            map.put(
                    MethodKeys.methodKey(m.getName(), MethodKeys.parameterDescriptor(m)),
                    new MethodInvoker(m, generic));
        }
        this.methods = Map.copyOf(map);
    }

    public String key() {
        return MethodKeys.serviceKey(serviceInterface.getName(), version, group);
    }

    public Class<?> serviceInterface() {
        return serviceInterface;
    }

    /** Whether calls run on the I/O thread instead of the business pool. */
    public boolean nonBlocking() {
        return nonBlocking;
    }

    /** The generic calls of this service. */
    public GenericEndpoint generic() {
        return generic;
    }

    /** The invoker for {@code name(descriptor)}, or {@code null}. */
    public MethodInvoker method(String name, String parameterDescriptor) {
        return methods.get(MethodKeys.methodKey(name, parameterDescriptor));
    }
}
