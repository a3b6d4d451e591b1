package dev.courier.rpc.internal.generic;

import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import dev.courier.rpc.Idempotent;

import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;

/**
 * The description a provider publishes of one service, for callers without its interface:
 *
 * <pre>{@code
 * {"service": "demo.UserService", "version": "1.0", "group": "default",
 *  "methods": [{"name": "getUser", "signature": "getUser(long)", "parameters": [{"name": "id", "type": "long"}],
 *               "returns": "demo.User", "async": false, "idempotent": true}],
 *  "types": {"demo.User": {"kind": "object", "fields": {"id": "long", "born": "java.time.LocalDate",
 *                                                      "addresses": "java.util.List<demo.Address>"}},
 *            "demo.Color": {"kind": "enum", "values": ["RED", "GREEN"]}}}
 * }</pre>
 *
 * <p>Types are named as {@code Class.getName()} with type arguments; {@code types} describes every
 * class outside the JDK that a parameter or result reaches, by the JSON properties it reads and
 * writes. Parameter names are the source names when the interface was compiled with
 * {@code -parameters}, else {@code arg0}, {@code arg1}, ...
 */
public final class ServiceDescriber {

    /** At most this many types are described; a larger graph is cut off with {@code "truncated": true}. */
    static final int MAX_TYPES = 500;

    private ServiceDescriber() {}

    public static Map<String, Object> describe(
            Class<?> serviceInterface, String version, String group, List<Method> methods) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("service", serviceInterface.getName());
        out.put("version", version);
        out.put("group", group);
        Deque<JavaType> reached = new ArrayDeque<>();
        List<Map<String, Object>> described = new ArrayList<>();
        boolean idempotentService = serviceInterface.isAnnotationPresent(Idempotent.class);
        for (Method m : methods) {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("name", m.getName());
            d.put("signature", GenericEndpoint.signature(m));
            List<Map<String, Object>> parameters = new ArrayList<>();
            for (Parameter p : m.getParameters()) {
                JavaType type = Json.MAPPER.constructType(p.getParameterizedType());
                reached.add(type);
                parameters.add(pair("name", p.getName(), "type", typeName(type)));
            }
            d.put("parameters", parameters);
            JavaType returns = Json.MAPPER.constructType(m.getGenericReturnType());
            boolean async = CompletionStage.class.isAssignableFrom(returns.getRawClass());
            if (async) {
                JavaType[] bound = Json.MAPPER.getTypeFactory().findTypeParameters(returns, CompletionStage.class);
                returns = bound.length == 1 ? bound[0] : Json.MAPPER.constructType(Object.class);
            }
            reached.add(returns);
            d.put("returns", typeName(returns));
            d.put("async", async);
            d.put("idempotent", idempotentService || m.isAnnotationPresent(Idempotent.class));
            described.add(d);
        }
        out.put("methods", described);
        Map<String, Object> types = new TreeMap<>();
        boolean truncated = describeTypes(reached, types);
        out.put("types", types);
        if (truncated) {
            out.put("truncated", true);
        }
        return out;
    }

    /** Describes every type {@code pending} reaches into {@code types}; true if {@link #MAX_TYPES} cut it off. */
    private static boolean describeTypes(Deque<JavaType> pending, Map<String, Object> types) {
        while (!pending.isEmpty()) {
            JavaType t = pending.poll();
            for (int i = 0; i < t.containedTypeCount(); i++) {
                pending.add(t.containedType(i));
            }
            if (t.isArrayType()) {
                pending.add(t.getContentType());
                continue;
            }
            Class<?> raw = t.getRawClass();
            String name = raw.getName();
            if (raw.isPrimitive() || name.startsWith("java.") || name.startsWith("javax.") || types.containsKey(name)) {
                continue;
            }
            if (types.size() == MAX_TYPES) {
                return true;
            }
            if (raw.isEnum()) {
                types.put(
                        name,
                        pair(
                                "kind",
                                "enum",
                                "values",
                                Arrays.stream(raw.getEnumConstants())
                                        .map(c -> ((Enum<?>) c).name())
                                        .toList()));
                continue;
            }
            Map<String, Object> fields = new LinkedHashMap<>();
            BeanDescription bean = Json.MAPPER.getSerializationConfig().introspect(t);
            for (BeanPropertyDefinition p : bean.findProperties()) {
                JavaType type = p.getPrimaryType();
                fields.put(p.getName(), typeName(type));
                pending.add(type);
            }
            types.put(name, pair("kind", "object", "fields", fields));
        }
        return false;
    }

    /** A map of two entries, written in this order. */
    private static Map<String, Object> pair(String k1, Object v1, String k2, Object v2) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(k1, v1);
        m.put(k2, v2);
        return m;
    }

    /** {@code demo.User}, {@code long}, {@code java.util.List<demo.User>}, {@code demo.User[]}. */
    static String typeName(JavaType t) {
        if (t.isArrayType()) {
            return typeName(t.getContentType()) + "[]";
        }
        Class<?> raw = t.getRawClass();
        if (t.containedTypeCount() == 0 || raw.getTypeParameters().length == 0) {
            return raw.getName();
        }
        StringBuilder sb = new StringBuilder(raw.getName()).append('<');
        for (int i = 0; i < t.containedTypeCount(); i++) {
            sb.append(i == 0 ? "" : ",").append(typeName(t.containedType(i)));
        }
        return sb.append('>').toString();
    }
}
