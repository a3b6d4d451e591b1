package dev.courier.registry.raft;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Who may write to and read from a registry cluster. Clients authenticate with a bearer token (the
 * {@code token} parameter of the {@code raft://} URL) that the member looks up in its tokens file; the
 * principal it maps to must be among the writers to grant, renew or revoke leases and register or
 * deregister instances, and among the readers (when readers are restricted) to list and watch.
 *
 * <p>The leader checks every write before it enters the Raft log, and the token is taken out of the
 * entry: it is never stored in the log or sent to the other members. Reads are checked by the member
 * that serves them. A refused call fails with {@link dev.courier.registry.RegistryAccessDeniedException}.
 * Lease expiry entries are accepted only from the leader itself, whatever the rules.
 *
 * <p>Immutable and thread-safe.
 *
 * @param tokens  token to principal
 * @param writers principals that may write; {@code "*"} is any authenticated one
 * <p>Ratis's admin API (membership changes, leadership transfer, snapshots) is guarded apart: with
 * {@code admins}, only callers whose verified client certificate (mutual TLS) has one of those subject
 * CNs may use it; reading the group's state stays open.
 *
 * @param readers principals that may read, {@code "*"} for any authenticated one, or null for anyone,
 *                anonymous included
 * @param admins  certificate principals that may change members through the admin API, or null for
 *                any caller that passes mutual TLS
 */
public record RegistryAccess(Map<String, String> tokens, Set<String> writers, Set<String> readers, Set<String> admins) {

    private static final RegistryAccess OPEN = new RegistryAccess(null, null, null, null);
    public static final String ANY = "*";

    public RegistryAccess {
        tokens = tokens == null ? null : Map.copyOf(tokens);
        writers = writers == null ? null : Set.copyOf(writers);
        readers = readers == null ? null : Set.copyOf(readers);
        admins = admins == null ? null : Set.copyOf(admins);
        if ((tokens == null) != (writers == null)) {
            throw new IllegalArgumentException("Registry access needs both a tokens table and its writers");
        }
    }

    /** Token rules without an admin rule. */
    public RegistryAccess(Map<String, String> tokens, Set<String> writers, Set<String> readers) {
        this(tokens, writers, readers, null);
    }

    /** These rules, with only {@code admins} allowed to use the admin API. */
    public RegistryAccess withAdmins(Set<String> admins) {
        return new RegistryAccess(tokens, writers, readers, admins);
    }

    /** Everyone may do everything: a cluster on loopback, or one guarded by mutual TLS alone. */
    public static RegistryAccess open() {
        return OPEN;
    }

    /**
     * Rules over {@code tokensFile} (lines {@code TOKEN PRINCIPAL}; blank lines and {@code #} comments
     * are skipped).
     */
    public static RegistryAccess fromTokensFile(Path tokensFile, Set<String> writers, Set<String> readers)
            throws IOException {
        Map<String, String> tokens = new HashMap<>();
        List<String> lines = Files.readAllLines(tokensFile, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] parts = line.split("\\s+");
            if (parts.length != 2) {
                throw new IllegalArgumentException(tokensFile + " line " + (i + 1) + ": expected TOKEN PRINCIPAL");
            }
            tokens.put(parts[0], parts[1]);
        }
        return new RegistryAccess(tokens, writers, readers);
    }

    /** Whether registry calls are checked at all (the admin API aside). */
    public boolean enabled() {
        return tokens != null;
    }

    /** The principal of {@code token}, or null when it is unknown (or there is no token). */
    public String principal(String token) {
        return token == null || tokens == null ? null : tokens.get(token);
    }

    public boolean mayWrite(String principal) {
        return !enabled() || allowed(writers, principal);
    }

    public boolean mayRead(String principal) {
        return !enabled() || readers == null || allowed(readers, principal);
    }

    private static boolean allowed(Set<String> who, String principal) {
        return principal != null && (who.contains(ANY) || who.contains(principal));
    }
}
