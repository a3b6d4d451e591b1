package dev.courier.serialization.internal.protostuff;

import dev.courier.serialization.SerializationException;
import dev.courier.serialization.TypeAllowlist;
import dev.courier.serialization.internal.JdkTypes;

import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Checks, before Protostuff writes anything, that every object reachable from a value (through
 * collections, maps, arrays, {@code Optional}, exception causes, record components and the non-static
 * non-transient fields of application classes) has an allowed class, and that the graph has no cycle:
 * Protostuff does not track references, so it would recurse until the stack overflows. Shared
 * references are visited once (they arrive as equal copies); a cycle is refused with a
 * {@link SerializationException} that names it.
 *
 * <p>Thread-safe: the per-class field lists are cached in a concurrent map.
 */
final class GraphCheck {

    private final TypeAllowlist allowlist;
    private final Map<Class<?>, List<Field>> fields = new ConcurrentHashMap<>();

    GraphCheck(TypeAllowlist allowlist) {
        this.allowlist = allowlist;
    }

    /** An object being visited and the index of its next child. */
    private static final class Visit {
        final Object object;
        final List<Object> children;
        int next;

        Visit(Object object, List<Object> children) {
            this.object = object;
            this.children = children;
        }
    }

    void check(Object root) {
        if (root == null) {
            return;
        }
        Set<Object> done = Collections.newSetFromMap(new IdentityHashMap<>());
        Set<Object> onPath = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Visit> path = new ArrayDeque<>();
        path.push(enter(root, onPath));
        while (!path.isEmpty()) {
            Visit top = path.peek();
            if (top.next == top.children.size()) {
                path.pop();
                onPath.remove(top.object);
                done.add(top.object);
                continue;
            }
            Object child = top.children.get(top.next++);
            if (onPath.contains(child)) {
                throw new SerializationException(
                        "Cannot serialize " + root.getClass().getName()
                                + ": its object graph has a cycle (a "
                                + top.object.getClass().getName() + " refers back to a "
                                + child.getClass().getName()
                                + " that contains it); Protostuff does not track references:"
                                + " break the cycle or use the kryo serializer",
                        root.getClass().getName(),
                        null);
            }
            if (!done.contains(child)) {
                path.push(enter(child, onPath));
            }
        }
    }

    private Visit enter(Object o, Set<Object> onPath) {
        Class<?> type = o.getClass();
        if (!allowlist.isAllowed(type)) {
            throw SerializationException.notAllowed(type.getName());
        }
        onPath.add(o);
        List<Object> children = new ArrayList<>();
        children(o, type, children);
        return new Visit(o, children);
    }

    private void children(Object o, Class<?> type, List<Object> pending) {
        if (type.isArray()) {
            if (!type.getComponentType().isPrimitive()) {
                for (int i = 0, n = Array.getLength(o); i < n; i++) {
                    addIfPresent(pending, Array.get(o, i));
                }
            }
        } else if (o instanceof Collection<?> c) {
            for (Object e : c) {
                addIfPresent(pending, e);
            }
        } else if (o instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                addIfPresent(pending, e.getKey());
                addIfPresent(pending, e.getValue());
            }
        } else if (o instanceof Optional<?> opt) {
            opt.ifPresent(pending::add);
        } else if (o instanceof Throwable t) {
            if (t.getCause() != null && t.getCause() != t) {
                pending.add(t.getCause());
            }
        } else if (!JdkTypes.isJdk(type) && !type.isEnum()) {
            for (Field f : fields.computeIfAbsent(type, GraphCheck::fieldsOf)) {
                try {
                    addIfPresent(pending, f.get(o));
                } catch (IllegalAccessException e) {
                    throw new SerializationException("Cannot read field " + f, type.getName(), e);
                }
            }
        }
    }

    private static void addIfPresent(List<Object> pending, Object o) {
        if (o != null) {
            pending.add(o);
        }
    }

    private static List<Field> fieldsOf(Class<?> type) {
        List<Field> result = new ArrayList<>();
        if (type.isRecord()) {
            for (RecordComponent rc : type.getRecordComponents()) {
                try {
                    Field f = type.getDeclaredField(rc.getName());
                    f.setAccessible(true);
                    result.add(f);
                } catch (NoSuchFieldException e) {
                    throw new IllegalStateException("Record " + type.getName() + " lacks field " + rc.getName(), e);
                }
            }
            return result;
        }
        for (Class<?> k = type; k != null && !JdkTypes.isJdk(k); k = k.getSuperclass()) {
            for (Field f : k.getDeclaredFields()) {
                int mod = f.getModifiers();
                if (!Modifier.isStatic(mod)
                        && !Modifier.isTransient(mod)
                        && !f.getType().isPrimitive()) {
                    f.setAccessible(true);
                    result.add(f);
                }
            }
        }
        return result;
    }
}
