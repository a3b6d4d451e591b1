package dev.courier.proxy.internal;

import dev.courier.proxy.Invoker;

import java.lang.reflect.Method;

/**
 * The {@code Object} methods a proxy answers itself: {@code toString}, {@code equals} (identity) and
 * {@code hashCode} (identity). Recognised by signature, so an interface that redeclares one of them is
 * answered the same way.
 */
final class ObjectMethods {

    private ObjectMethods() {}

    static boolean isObjectMethod(Method method) {
        switch (method.getParameterCount()) {
            case 0:
                String name = method.getName();
                return name.equals("toString") || name.equals("hashCode");
            case 1:
                return method.getName().equals("equals") && method.getParameterTypes()[0] == Object.class;
            default:
                return false;
        }
    }

    static Object answer(Object proxy, Method method, Object[] args, Class<?> iface, Invoker invoker) {
        switch (method.getName()) {
            case "equals":
                return proxy == args[0];
            case "hashCode":
                return System.identityHashCode(proxy);
            default:
                return describe(proxy, iface, invoker);
        }
    }

    /** {@code Proxy[com.example.Greeter]@1a2b3c via <invoker>}. */
    static String describe(Object proxy, Class<?> iface, Invoker invoker) {
        return "Proxy[" + iface.getName() + "]@" + Integer.toHexString(System.identityHashCode(proxy)) + " via "
                + invoker;
    }
}
