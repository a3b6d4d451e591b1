package dev.courier.admin;

import java.util.Map;

/**
 * One request to the admin port: its method, path (decoded, without the query), query parameters
 * (decoded; the last of repeated ones wins), body (at most {@link AdminServer#MAX_BODY_BYTES}) and the
 * principal its bearer token authenticated as (null on a port without authentication).
 */
public record AdminRequest(String method, String path, Map<String, String> query, byte[] body, String principal) {

    public AdminRequest {
        query = Map.copyOf(query);
    }

    /** The query parameter {@code name}, or {@code fallback} when absent. */
    public String param(String name, String fallback) {
        return query.getOrDefault(name, fallback);
    }

    /**
     * The part of the path after {@code prefix} (a route registered as {@code prefix + "*"}), without a leading slash.
     */
    public String pathAfter(String prefix) {
        if (!path.startsWith(prefix)) {
            throw new IllegalArgumentException(path + " does not start with " + prefix);
        }
        String rest = path.substring(prefix.length());
        return rest.startsWith("/") ? rest.substring(1) : rest;
    }
}
