package dev.courier.mq.broker;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Access rules per topic and action: whatever no rule allows is refused.
 *
 * <pre>{@code
 * TopicAcl acl = TopicAcl.builder()
 *         .allow(Action.PUBLISH, "orders", "shop")        // shop may publish to orders
 *         .allow(Action.CONSUME, "orders", "billing", "audit")
 *         .allow(Action.CONSUME, "*", "ops")              // ops may consume every topic
 *         .allow(Action.CREATE, "*", "shop")              // only shop may create topics
 *         .build();
 * }</pre>
 *
 * <p>A topic of {@code "*"} matches every topic; a principal of {@code "*"} matches every
 * authenticated principal (never an anonymous caller). {@link Action#CREATE} rules are checked
 * against the name of the topic to be created. Immutable and thread-safe.
 */
public final class TopicAcl implements Authorizer {

    public static final String ANY = "*";

    private final Map<Action, Map<String, Set<String>>> rules;
    private final List<String> description;

    private TopicAcl(Builder b) {
        Map<Action, Map<String, Set<String>>> copy = new EnumMap<>(Action.class);
        b.rules.forEach((action, byTopic) -> {
            Map<String, Set<String>> m = new HashMap<>();
            byTopic.forEach((topic, principals) -> m.put(topic, Set.copyOf(principals)));
            copy.put(action, Map.copyOf(m));
        });
        this.rules = copy;
        this.description = List.copyOf(b.description);
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public boolean allowed(String principal, String topic, Action action) {
        if (principal == null) {
            return false;
        }
        return matches(action, topic, principal);
    }

    private boolean matches(Action action, String topic, String principal) {
        Map<String, Set<String>> byTopic = rules.get(action);
        if (byTopic == null) {
            return false;
        }
        return contains(byTopic.get(topic), principal) || contains(byTopic.get(ANY), principal);
    }

    private static boolean contains(Set<String> principals, String principal) {
        return principals != null && (principals.contains(principal) || principals.contains(ANY));
    }

    @Override
    public String toString() {
        return "TopicAcl" + description;
    }

    /** Builds a {@link TopicAcl}; not thread-safe. */
    public static final class Builder {
        private final Map<Action, Map<String, Set<String>>> rules = new EnumMap<>(Action.class);
        private final List<String> description = new ArrayList<>();

        private Builder() {}

        /** Lets {@code principals} do {@code action} on {@code topic} ({@code "*"}: every topic). */
        public Builder allow(Action action, String topic, String... principals) {
            if (topic == null || topic.isBlank()) {
                throw new IllegalArgumentException("topic must be a name or '*'");
            }
            Set<String> set =
                    rules.computeIfAbsent(action, a -> new HashMap<>()).computeIfAbsent(topic, t -> new HashSet<>());
            for (String p : principals) {
                if (p == null || p.isBlank()) {
                    throw new IllegalArgumentException("principal names must be non-empty");
                }
                set.add(p);
            }
            description.add(action.name().toLowerCase(java.util.Locale.ROOT) + " " + topic + " " + List.of(principals));
            return this;
        }

        public TopicAcl build() {
            return new TopicAcl(this);
        }
    }
}
