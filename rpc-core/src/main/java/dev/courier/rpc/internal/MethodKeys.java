package dev.courier.rpc.internal;

import java.lang.reflect.Method;

/** Names services and methods the same way on both ends. */
public final class MethodKeys {

    private MethodKeys() {
    }

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

    /** The key a server looks a service up by. */
    public static String serviceKey(String service, String version, String group) {
        return service + ':' + version + ':' + group;
    }
}
