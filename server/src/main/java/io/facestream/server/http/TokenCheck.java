package io.facestream.server.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * A bearer token check shared by the routes that take one ({@code /ws/metrics}, HTTP ingest): the token comes as
 * {@code Authorization: Bearer <token>} (scheme in any case) or, where a route allows it, as the query parameter
 * {@code token} (browsers cannot set headers on a WebSocket). Compared in constant time. An empty configured token
 * disables the check.
 */
public final class TokenCheck {
    private final byte[] expected;

    public TokenCheck(String token) {
        this.expected = token == null || token.isEmpty() ? null : token.getBytes(StandardCharsets.UTF_8);
    }

    public boolean required() {
        return expected != null;
    }

    /**
     * @param authorization the {@code Authorization} header, or null
     * @param queryToken    the {@code token} query parameter, or null (always null where a route takes no query token)
     */
    public boolean allows(String authorization, String queryToken) {
        if (expected == null) {
            return true;
        }
        String presented = null;
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            presented = authorization.substring(7).trim();
        } else if (queryToken != null) {
            presented = queryToken;
        }
        return presented != null && MessageDigest.isEqual(expected, presented.getBytes(StandardCharsets.UTF_8));
    }
}
