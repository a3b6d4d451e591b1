package dev.courier.rpc.internal.server;

import dev.courier.rpc.internal.MethodKeys;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.HashMap;
import java.util.Map;

/**
 * One exported service: an interface, its implementation, and an invoker per interface method.
 *
 * <p>Immutable and thread-safe.
 */
public final class ExportedService {

    private final Class<?> serviceInterface;
    private final String version;
    private final String group;
    private final boolean nonBlocking;
    private final Map<String, MethodInvoker> methods;

    public ExportedService(Class<?> serviceInterface, Object implementation, String version, String group,
                           boolean nonBlocking) {
        if (!serviceInterface.isInterface()) {
            throw new IllegalArgumentException(serviceInterface.getName() + " is not an interface; export an interface");
        }
        if (!serviceInterface.isInstance(implementation)) {
            throw new IllegalArgumentException(implementation.getClass().getName() + " does not implement "
                    + serviceInterface.getName());
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
            map.put(MethodKeys.methodKey(m.getName(), MethodKeys.parameterDescriptor(m)),
                    new MethodInvoker(m, implementation));
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

    /** The invoker for {@code name(descriptor)}, or {@code null}. */
    public MethodInvoker method(String name, String parameterDescriptor) {
        return methods.get(MethodKeys.methodKey(name, parameterDescriptor));
    }
}
