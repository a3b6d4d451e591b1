package dev.courier.rpc.internal.auth;

import dev.courier.rpc.AuthenticationException;
import dev.courier.rpc.Authenticator;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Bearer tokens and the principals they stand for. Tokens are kept as SHA-256 digests and looked up
 * by digest, so neither the table nor the time a lookup takes tells a token's bytes.
 *
 * <p>Immutable and thread-safe.
 */
public final class TokenTable {

    private final Map<String, String> principalByDigest;

    public TokenTable(Map<String, String> tokenToPrincipal) {
        Map<String, String> map = new HashMap<>();
        tokenToPrincipal.forEach((token, principal) -> {
            if (token == null || token.isBlank() || principal == null || principal.isBlank()) {
                throw new IllegalArgumentException("Tokens and principals must be non-empty");
            }
            map.put(digest(token), principal);
        });
        this.principalByDigest = Map.copyOf(map);
    }

    public String authenticate(Authenticator.Credentials credentials) {
        if (credentials.token() == null) {
            throw new AuthenticationException("A bearer token is required");
        }
        String principal = principalByDigest.get(digest(credentials.token()));
        if (principal == null) {
            throw new AuthenticationException("The bearer token was not accepted");
        }
        return principal;
    }

    /** Parses a tokens file: lines of {@code TOKEN PRINCIPAL}; blank lines and {@code #} comments skipped. */
    public static Map<String, String> read(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        Map<String, String> tokens = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] parts = line.split("\\s+");
            if (parts.length != 2) {
                throw new IllegalArgumentException(
                        file + " line " + (i + 1) + ": expected 'TOKEN PRINCIPAL', got " + parts.length + " fields");
            }
            if (tokens.putIfAbsent(parts[0], parts[1]) != null) {
                throw new IllegalArgumentException(file + " line " + (i + 1) + ": this token is already listed");
            }
        }
        return tokens;
    }

    private static String digest(String token) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
            StringBuilder sb = new StringBuilder(d.length * 2);
            for (byte b : d) {
                sb.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
            }
            return sb.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
