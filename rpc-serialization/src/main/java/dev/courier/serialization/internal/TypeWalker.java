package dev.courier.serialization.internal;

import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;

/**
 * Collects the classes a service interface can carry: the parameter, return and declared exception
 * types of its methods, their generic arguments and array components, and (recursively) the field
 * and record-component types of the application classes found. {@code CompletableFuture<T>} and
 * other futures stand for their value type {@code T}. JDK classes are collected but not walked into.
 *
 * <p>Not thread-safe: one walker serves one builder.
 */
public final class TypeWalker {

    private final Set<Class<?>> sink;
    private final Set<Type> seen = new HashSet<>();
    private final Deque<Type> pending = new ArrayDeque<>();

    /** A walker adding every class it finds to {@code sink}. */
    public TypeWalker(Set<Class<?>> sink) {
        this.sink = sink;
    }

    /** Adds the types reachable from the methods of {@code serviceInterface}. */
    public void walkServiceInterface(Class<?> serviceInterface) {
        for (Method m : serviceInterface.getMethods()) {
            if (m.getDeclaringClass() == Object.class || Modifier.isStatic(m.getModifiers())) {
                continue;
            }
            for (Type p : m.getGenericParameterTypes()) {
                pending.add(p);
            }
            pending.add(m.getGenericReturnType());
            for (Type e : m.getGenericExceptionTypes()) {
                pending.add(e);
            }
        }
        drain();
    }

    /** Adds {@code type} and the types reachable from its fields. */
    public void walkClass(Class<?> type) {
        pending.add(type);
        drain();
    }

    private void drain() {
        while (!pending.isEmpty()) {
            Type t = pending.poll();
            if (seen.add(t)) {
                visit(t);
            }
        }
    }

    private void visit(Type t) {
        if (t instanceof Class<?> c) {
            visitClass(c);
        } else if (t instanceof ParameterizedType p) {
            Class<?> raw = (Class<?>) p.getRawType();
            if (!Future.class.isAssignableFrom(raw) && !CompletionStage.class.isAssignableFrom(raw)) {
                pending.add(raw);
            }
            for (Type arg : p.getActualTypeArguments()) {
                pending.add(arg);
            }
        } else if (t instanceof GenericArrayType g) {
            pending.add(g.getGenericComponentType());
        } else if (t instanceof WildcardType w) {
            for (Type b : w.getUpperBounds()) {
                pending.add(b);
            }
            for (Type b : w.getLowerBounds()) {
                pending.add(b);
            }
        } else if (t instanceof TypeVariable<?> v) {
            for (Type b : v.getBounds()) {
                pending.add(b);
            }
        }
    }

    private void visitClass(Class<?> c) {
        if (c.isArray()) {
            pending.add(c.getComponentType());
            return;
        }
        if (c == Object.class || c == void.class || c.isInterface() && JdkTypes.isJdk(c)) {
            return;
        }
        if (Future.class.isAssignableFrom(c) || CompletionStage.class.isAssignableFrom(c)) {
            return;
        }
        sink.add(c);
        if (JdkTypes.isJdk(c)) {
            return;
        }
        if (c.isRecord()) {
            for (RecordComponent rc : c.getRecordComponents()) {
                pending.add(rc.getGenericType());
            }
        }
        for (Class<?> k = c; k != null && !JdkTypes.isJdk(k); k = k.getSuperclass()) {
            if (k != c) {
                sink.add(k);
            }
            for (Field f : k.getDeclaredFields()) {
                int mod = f.getModifiers();
                if (!Modifier.isStatic(mod) && !Modifier.isTransient(mod) && !f.isSynthetic()) {
                    pending.add(f.getGenericType());
                }
            }
        }
    }
}
