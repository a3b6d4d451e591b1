package dev.courier.rpc.internal.generic;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.rpc.internal.protocol.Status;
import dev.courier.rpc.internal.server.MethodInvoker;
import dev.courier.rpc.internal.server.Rejection;

import java.lang.reflect.Method;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;

/**
 * The generic calls of one exported service: {@code $invoke} picks the method, builds each argument
 * of the method's declared (generic) parameter type from JSON, runs the method through the service's
 * own invoker and writes its result as JSON; {@code $describe} answers {@link ServiceDescriber}'s
 * description, built on the first call. An argument that does not fit is refused
 * {@link Status#INVALID_ARGUMENT} and an unknown method {@link Status#METHOD_NOT_FOUND}, before the
 * method runs. The server takes a {@code $invoke} apart with {@link #resolve} and {@link #arguments}
 * before its interceptors run, so that access rules, limits, metrics and tracing see the method it runs.
 *
 * <p>Thread-safe.
 */
public final class GenericEndpoint implements GenericCalls {

    private final Class<?> serviceInterface;
    private final String version;
    private final String group;
    /** The service's invokers by method name, overloads sorted by signature. */
    private final Map<String, List<MethodInvoker>> byName;

    private volatile String description;

    public GenericEndpoint(
            Class<?> serviceInterface, String version, String group, Collection<MethodInvoker> invokers) {
        this.serviceInterface = serviceInterface;
        this.version = version;
        this.group = group;
        Map<String, List<MethodInvoker>> map = new TreeMap<>();
        for (MethodInvoker invoker : invokers) {
            map.computeIfAbsent(invoker.method().getName(), k -> new ArrayList<>())
                    .add(invoker);
        }
        map.replaceAll((name, list) -> list.stream()
                .sorted(Comparator.comparing(i -> signature(i.method())))
                .toList());
        this.byName = Map.copyOf(map);
    }

    /** The method name of a {@code $invoke} selector ({@code getUser} of {@code getUser(long)}); "" for null. */
    public static String methodName(Object selector) {
        if (!(selector instanceof String s)) {
            return "";
        }
        int paren = s.indexOf('(');
        return (paren < 0 ? s : s.substring(0, paren)).strip();
    }

    /** {@code name(type, ...)} with each parameter's generic type name. */
    public static String signature(Method m) {
        return m.getName()
                + Arrays.stream(m.getGenericParameterTypes())
                        .map(Type::getTypeName)
                        .collect(Collectors.joining(",", "(", ")"));
    }

    /** A generic call resolved to the method it runs; its arguments are still JSON. */
    public record Resolved(MethodInvoker invoker, JsonNode arguments) {}

    /**
     * The method a {@code $invoke} of {@code selector} on {@code arguments} runs, chosen by name, by
     * parameter types when the selector names them, else by the number of arguments.
     *
     * @throws Rejection {@link Status#METHOD_NOT_FOUND} for no such method, {@link Status#INVALID_ARGUMENT}
     *                   for arguments that are not a JSON array or fit no single overload
     */
    public Resolved resolve(String selector, String arguments) {
        JsonNode args = parseArguments(arguments);
        return new Resolved(select(selector == null ? "" : selector, args.size()), args);
    }

    /**
     * The arguments of {@code call}, each built as its parameter's declared type.
     *
     * @throws Rejection {@link Status#INVALID_ARGUMENT} naming the first argument that does not fit
     */
    public Object[] arguments(Resolved call) {
        return convert(call.invoker(), call.arguments());
    }

    /** What a generic call answers for the method's result {@code value}: its JSON. */
    public static String result(Object value) {
        return Json.write(value);
    }

    /** Runs a generic call in full; the server resolves it itself so that its interceptors see the real method. */
    @Override
    public CompletableFuture<String> $invoke(String selector, String arguments) {
        Resolved call = resolve(selector, arguments);
        Object[] values = arguments(call);
        Object result;
        try {
            result = call.invoker().invoke(values);
        } catch (Throwable t) {
            return CompletableFuture.failedFuture(t);
        }
        if (call.invoker().isAsync() && result != null) {
            return ((CompletionStage<?>) result)
                    .thenApply(GenericEndpoint::result)
                    .toCompletableFuture();
        }
        return CompletableFuture.completedFuture(result(result));
    }

    @Override
    public CompletableFuture<String> $describe() {
        String d = description;
        if (d == null) {
            List<Method> methods = byName.values().stream()
                    .flatMap(List::stream)
                    .map(MethodInvoker::method)
                    .toList();
            d = Json.write(ServiceDescriber.describe(serviceInterface, version, group, methods));
            description = d;
        }
        return CompletableFuture.completedFuture(d);
    }

    private static JsonNode parseArguments(String arguments) {
        if (arguments == null || arguments.isBlank()) {
            return Json.MAPPER.createArrayNode();
        }
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(arguments);
        } catch (JsonProcessingException e) {
            throw invalid("The arguments are not JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isArray()) {
            throw invalid("The arguments must be a JSON array with one element per parameter, not "
                    + (node == null
                            ? "nothing"
                            : "a JSON " + node.getNodeType().name().toLowerCase()));
        }
        return node;
    }

    private MethodInvoker select(String selector, int arity) {
        String name = methodName(selector);
        List<MethodInvoker> named = byName.get(name);
        if (named == null) {
            throw new Rejection(
                    Status.METHOD_NOT_FOUND,
                    "Service " + serviceInterface.getName() + " has no method '" + name + "'; its methods: "
                            + signatures(byName.values().stream()
                                    .flatMap(List::stream)
                                    .toList()));
        }
        int paren = selector.indexOf('(');
        if (paren >= 0) {
            if (!selector.strip().endsWith(")")) {
                throw invalid("Malformed method '" + selector + "': expected name or name(type,...)");
            }
            String inside =
                    selector.substring(paren + 1, selector.lastIndexOf(')')).strip();
            List<String> types = inside.isEmpty() ? List.of() : splitTypes(inside);
            for (MethodInvoker invoker : named) {
                if (parametersMatch(invoker.parameterTypes(), types)) {
                    return invoker;
                }
            }
            throw new Rejection(
                    Status.METHOD_NOT_FOUND,
                    "Service " + serviceInterface.getName() + " has no method " + selector.strip() + "; methods named "
                            + name + ": " + signatures(named));
        }
        List<MethodInvoker> fitting =
                named.stream().filter(i -> i.parameterTypes().length == arity).toList();
        if (fitting.size() == 1) {
            return fitting.get(0);
        }
        if (fitting.isEmpty()) {
            throw invalid(serviceInterface.getSimpleName() + "." + name + " was given " + arity + " argument"
                    + (arity == 1 ? "" : "s") + "; it takes: " + signatures(named));
        }
        throw invalid(serviceInterface.getSimpleName() + "." + name + " has " + fitting.size() + " overloads of "
                + arity + " parameters; name the parameter types, as one of: " + signatures(fitting));
    }

    /** Splits {@code a, java.util.Map<K,V>, c} at the commas outside angle brackets. */
    private static List<String> splitTypes(String inside) {
        List<String> out = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < inside.length(); i++) {
            char c = inside.charAt(i);
            if (c == '<') {
                depth++;
            } else if (c == '>') {
                depth--;
            } else if (c == ',' && depth == 0) {
                out.add(inside.substring(start, i).strip());
                start = i + 1;
            }
        }
        out.add(inside.substring(start).strip());
        return out;
    }

    /** Whether each named type (simple, qualified or generic name) names the parameter type at its place. */
    private static boolean parametersMatch(Class<?>[] parameters, List<String> names) {
        if (parameters.length != names.size()) {
            return false;
        }
        for (int i = 0; i < parameters.length; i++) {
            String n = names.get(i);
            int generic = n.indexOf('<');
            String raw = (generic < 0 ? n : n.substring(0, generic) + n.substring(n.lastIndexOf('>') + 1)).strip();
            Class<?> p = parameters[i];
            if (!raw.equals(p.getName())
                    && !raw.equals(p.getSimpleName())
                    && !raw.equals(p.getCanonicalName())
                    && !raw.equals(p.getTypeName())) {
                return false;
            }
        }
        return true;
    }

    private Object[] convert(MethodInvoker invoker, JsonNode args) {
        Method m = invoker.method();
        Type[] types = m.getGenericParameterTypes();
        if (args.size() != types.length) {
            throw invalid(serviceInterface.getSimpleName() + "." + signature(m) + " takes " + types.length + " argument"
                    + (types.length == 1 ? "" : "s") + ", not " + args.size());
        }
        Object[] values = new Object[types.length];
        for (int i = 0; i < types.length; i++) {
            if (args.get(i).isNull() && invoker.parameterTypes()[i].isPrimitive()) {
                throw invalid("Argument " + i + " of " + serviceInterface.getSimpleName() + "." + signature(m)
                        + " is null; it is a " + types[i].getTypeName());
            }
            try {
                values[i] = Json.MAPPER.treeToValue(args.get(i), Json.MAPPER.constructType(types[i]));
            } catch (JsonProcessingException | IllegalArgumentException e) {
                String why = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
                throw invalid("Argument " + i + " of " + serviceInterface.getSimpleName() + "." + signature(m)
                        + " is not a " + types[i].getTypeName() + ": " + why);
            }
        }
        return values;
    }

    private static String signatures(List<MethodInvoker> invokers) {
        return invokers.stream().map(i -> signature(i.method())).collect(Collectors.joining(", "));
    }

    private static Rejection invalid(String message) {
        return new Rejection(Status.INVALID_ARGUMENT, message);
    }
}
