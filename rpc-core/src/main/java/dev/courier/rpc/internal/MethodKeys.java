package dev.courier.rpc.internal;

import dev.courier.registry.ServiceKey;

import java.lang.reflect.Method;

/** Names services and methods the same way on both ends. */
public final class MethodKeys {

    private MethodKeys() {}

    /** The JVM descriptors of {@code method}'s parameter types, concatenated: {@code "Ljava/lang/String;I"}. */
    public static String parameterDescriptor(Method method) {
        StringBuilder sb = new StringBuilder();
        for (Class<?> p : method.getParameterTypes()) {
            sb.append(p.descriptorString());
        }
        return sb.toString();
    }

    /** The key a server looks a method up by: name and parameter descriptor. */
    public static String methodKey(String name, String parameterDescriptor) {
        return name + '(' + parameterDescriptor + ')';
    }

    /**
     * The key a server looks a service up by. An empty version or group means the registry's defaults
     * ({@code 1.0}, {@code default}), so {@code ""} and the default name the same service.
     */
    public static String serviceKey(String service, String version, String group) {
        return service + ':' + version(version) + ':' + group(group);
    }

    /** {@code version}, or the default version when empty. */
    public static String version(String version) {
        return version == null || version.isEmpty() ? ServiceKey.DEFAULT_VERSION : version;
    }

    /** {@code group}, or the default group when empty. */
    public static String group(String group) {
        return group == null || group.isEmpty() ? ServiceKey.DEFAULT_GROUP : group;
    }

    /** The registry key of a service. */
    public static ServiceKey registryKey(String service, String version, String group) {
        return new ServiceKey(service, version(version), group(group));
    }
}
