package dev.courier.serialization.internal;

import dev.courier.serialization.SerializationException;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;

/**
 * Rebuilds a {@link Throwable} from its class, message, stack trace and cause through public API only
 * (a constructor and {@link Throwable#setStackTrace}), because Java 17 forbids reflective access to
 * {@code Throwable}'s private fields.
 *
 * <p>Constructors are tried in this order: {@code (String, C)} where {@code C} accepts the cause,
 * {@code (String)}, {@code ()}, {@code (C)}. A cause not taken by the constructor is set with
 * {@link Throwable#initCause}. Stateless and thread-safe.
 */
public final class Throwables {

    private Throwables() {}

    /** Builds an instance of {@code type}. */
    public static Throwable rebuild(Class<?> type, String message, Throwable cause, StackTraceElement[] stack) {
        if (!Throwable.class.isAssignableFrom(type)) {
            throw new SerializationException("Not a Throwable: " + type.getName(), type.getName(), null);
        }
        Throwable t;
        try {
            t = construct(type, message, cause);
        } catch (ReflectiveOperationException | RuntimeException e) {
            Throwable why = e instanceof InvocationTargetException ite ? ite.getCause() : e;
            throw new SerializationException("Cannot rebuild exception " + type.getName(), type.getName(), why);
        }
        if (t == null) {
            throw new SerializationException(
                    "Exception " + type.getName() + " has no (String), (String, Throwable),"
                            + " () or (Throwable) constructor",
                    type.getName(),
                    null);
        }
        if (cause != null && t.getCause() == null) {
            try {
                t.initCause(cause);
            } catch (IllegalStateException | IllegalArgumentException alreadySet) {
                // The constructor fixed the cause (possibly to null); keep what it chose.
            }
        }
        t.setStackTrace(stack);
        return t;
    }

    private static Throwable construct(Class<?> type, String message, Throwable cause)
            throws ReflectiveOperationException {
        Constructor<?> messageOnly = null;
        Constructor<?> noArg = null;
        Constructor<?> causeOnly = null;
        for (Constructor<?> c : type.getDeclaredConstructors()) {
            Class<?>[] p = c.getParameterTypes();
            if (p.length == 2
                    && p[0] == String.class
                    && Throwable.class.isAssignableFrom(p[1])
                    && (cause == null || p[1].isInstance(cause))) {
                return (Throwable) accessible(c).newInstance(message, cause);
            } else if (p.length == 1 && p[0] == String.class) {
                messageOnly = c;
            } else if (p.length == 0) {
                noArg = c;
            } else if (p.length == 1
                    && Throwable.class.isAssignableFrom(p[0])
                    && (cause == null || p[0].isInstance(cause))) {
                causeOnly = c;
            }
        }
        if (messageOnly != null) {
            return (Throwable) accessible(messageOnly).newInstance(message);
        }
        if (noArg != null) {
            return (Throwable) accessible(noArg).newInstance();
        }
        if (causeOnly != null) {
            return (Throwable) accessible(causeOnly).newInstance(cause);
        }
        return null;
    }

    private static Constructor<?> accessible(Constructor<?> c) {
        if (!c.canAccess(null) && !JdkTypes.isJdk(c.getDeclaringClass())) {
            c.setAccessible(true);
        }
        return c;
    }

    /** Builds a stack frame from its seven parts (the nullable ones may be {@code null}). */
    public static StackTraceElement frame(
            String classLoaderName,
            String moduleName,
            String moduleVersion,
            String declaringClass,
            String methodName,
            String fileName,
            int lineNumber) {
        if (declaringClass == null || methodName == null) {
            throw new SerializationException("Corrupt stack frame: missing class or method name");
        }
        return new StackTraceElement(
                classLoaderName, moduleName, moduleVersion, declaringClass, methodName, fileName, lineNumber);
    }
}
