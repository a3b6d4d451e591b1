package dev.courier.rpc.internal.server;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Which principals may call which service and method. A method's own list decides for it, else the
 * service's list, else everyone may. {@code "*"} in a list means any authenticated principal; an
 * anonymous caller (null principal) is never on a list.
 *
 * <p>Built before the server starts, then read-only: thread-safe once built.
 */
public final class AccessRules {

    public static final String ANY_AUTHENTICATED = "*";

    private record Rule(Set<String> service, Map<String, Set<String>> methods) {}

    private final Map<String, Rule> rules = new HashMap<>();

    /** Sets the rule of {@code serviceKey}: {@code service} may be null (no service-wide list). */
    public void put(String serviceKey, Set<String> service, Map<String, Set<String>> methods) {
        if (service != null || !methods.isEmpty()) {
            rules.put(serviceKey, new Rule(service == null ? null : Set.copyOf(service), Map.copyOf(methods)));
        }
    }

    public boolean isEmpty() {
        return rules.isEmpty();
    }

    /** Whether {@code principal} may call {@code method} of {@code serviceKey}. */
    public boolean permits(String serviceKey, String method, String principal) {
        Rule rule = rules.get(serviceKey);
        if (rule == null) {
            return true;
        }
        Set<String> list = rule.methods().get(method);
        if (list == null) {
            list = rule.service();
        }
        if (list == null) {
            return true;
        }
        return principal != null && (list.contains(principal) || list.contains(ANY_AUTHENTICATED));
    }
}
