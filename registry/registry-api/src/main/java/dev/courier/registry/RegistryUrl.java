package dev.courier.registry;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A parsed registry URL: {@code scheme://host1:port1,host2:port2/path?k=v&k2=v2}. Immutable and therefore
 * thread-safe.
 *
 * @param scheme the backend, for example {@code zookeeper}, {@code raft}, {@code embedded}
 * @param addresses the {@code host:port} list, possibly empty
 * @param path what follows the addresses up to {@code '?'}, without the leading slash; may be empty
 * @param parameters the query parameters
 */
public record RegistryUrl(String scheme, List<String> addresses, String path, Map<String, String> parameters) {

    public RegistryUrl {
        Objects.requireNonNull(scheme, "scheme");
        addresses = List.copyOf(addresses);
        parameters = Map.copyOf(parameters);
    }

    /** Parses {@code url}; throws {@link IllegalArgumentException} if it has no scheme. */
    public static RegistryUrl parse(String url) {
        int sep = url.indexOf("://");
        if (sep <= 0) {
            throw new IllegalArgumentException("registry URL needs a scheme, as in zookeeper://host:port: " + url);
        }
        String scheme = url.substring(0, sep).toLowerCase(java.util.Locale.ROOT);
        String rest = url.substring(sep + 3);
        Map<String, String> params = new LinkedHashMap<>();
        int q = rest.indexOf('?');
        if (q >= 0) {
            for (String pair : rest.substring(q + 1).split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String k = eq < 0 ? pair : pair.substring(0, eq);
                String v = eq < 0 ? "" : pair.substring(eq + 1);
                params.put(URLDecoder.decode(k, StandardCharsets.UTF_8), URLDecoder.decode(v, StandardCharsets.UTF_8));
            }
            rest = rest.substring(0, q);
        }
        String path = "";
        int slash = rest.indexOf('/');
        if (slash >= 0) {
            path = rest.substring(slash + 1);
            rest = rest.substring(0, slash);
        }
        List<String> addresses = new ArrayList<>();
        for (String a : rest.split(",")) {
            if (!a.isBlank()) {
                addresses.add(a.trim());
            }
        }
        return new RegistryUrl(scheme, addresses, path, params);
    }

    /** The parameter {@code name}, or {@code defaultValue}. */
    public String parameter(String name, String defaultValue) {
        return parameters.getOrDefault(name, defaultValue);
    }

    /** The addresses joined by commas. */
    public String joinedAddresses() {
        return String.join(",", addresses);
    }
}
