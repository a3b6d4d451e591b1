package dev.courier.registry;

import java.util.Objects;

/**
 * Names a service: the interface it implements, its version and its group. Immutable and therefore
 * thread-safe.
 *
 * <p>The {@linkplain #canonical() canonical form} {@code group/interface:version} is used as a path
 * segment by the backends; none of its parts may contain {@code '/'} or {@code ':'}.
 *
 * @param interfaceName fully qualified interface name
 * @param version service version, for example {@code 1.0}; never empty
 * @param group service group, for example {@code default}; never empty
 */
public record ServiceKey(String interfaceName, String version, String group) {

    /** The version used when none is given. */
    public static final String DEFAULT_VERSION = "1.0";
    /** The group used when none is given. */
    public static final String DEFAULT_GROUP = "default";

    public ServiceKey {
        check(interfaceName, "interfaceName");
        check(version, "version");
        check(group, "group");
    }

    /** A key for {@code interfaceName} in the default version and group. */
    public static ServiceKey of(String interfaceName) {
        return new ServiceKey(interfaceName, DEFAULT_VERSION, DEFAULT_GROUP);
    }

    /** A key for {@code type} in the default version and group. */
    public static ServiceKey of(Class<?> type) {
        return of(type.getName());
    }

    /** Parses {@code group/interface:version}, or a bare interface name for the defaults. */
    public static ServiceKey parse(String text) {
        Objects.requireNonNull(text, "text");
        int slash = text.indexOf('/');
        String group = slash < 0 ? DEFAULT_GROUP : text.substring(0, slash);
        String rest = text.substring(slash + 1);
        int colon = rest.lastIndexOf(':');
        return colon < 0
                ? new ServiceKey(rest, DEFAULT_VERSION, group)
                : new ServiceKey(rest.substring(0, colon), rest.substring(colon + 1), group);
    }

    /** {@code group/interface:version}; {@link #parse} reads it back. */
    public String canonical() {
        return group + '/' + interfaceName + ':' + version;
    }

    /** The canonical form with {@code '/'} replaced so it is one path segment: {@code group~interface:version}. */
    public String pathSegment() {
        return group + '~' + interfaceName + ':' + version;
    }

    /** Reads back {@link #pathSegment()}. */
    public static ServiceKey fromPathSegment(String segment) {
        return parse(segment.replaceFirst("~", "/"));
    }

    @Override
    public String toString() {
        return canonical();
    }

    private static void check(String value, String name) {
        Objects.requireNonNull(value, name);
        if (value.isEmpty()
                || value.indexOf('/') >= 0
                || value.indexOf('~') >= 0
                || (!name.equals("interfaceName") && value.indexOf(':') >= 0)) {
            throw new IllegalArgumentException(name + " must be non-empty without '/', '~' or ':': " + value);
        }
    }
}
