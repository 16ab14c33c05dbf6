package io.facestream.server.ws;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which browser origins may open a WebSocket (a defence against cross-site WebSocket hijacking: browsers send
 * {@code Origin} on every WebSocket handshake, and a page on another site must not read the metrics stream with
 * the visitor's network position or cookies). With no allow-list only an origin matching the request's
 * {@code Host} is allowed, so the dashboard works however the server is reached: same host name, and the port
 * the {@code Host} names (or, without one, the default port of the origin's scheme — so a proxy that ends TLS
 * still matches). {@code *} allows any origin.
 * A request without {@code Origin} (not a browser: curl, a Java client) is allowed, since no page can make one.
 */
public final class OriginPolicy {
    private final boolean any;
    private final Set<String> allowed;

    public OriginPolicy(List<String> allowedOrigins) {
        this.any = allowedOrigins.contains("*");
        this.allowed = allowedOrigins.stream().map(OriginPolicy::normalise).collect(Collectors.toUnmodifiableSet());
    }

    /**
     * @param origin the {@code Origin} header, or null when absent
     * @param host   the {@code Host} header (host[:port]), or null
     */
    public boolean allows(String origin, String host) {
        if (origin == null || any) {
            return true;
        }
        String o = normalise(origin);
        if (!allowed.isEmpty()) {
            return allowed.contains(o);
        }
        if (host == null) {
            return false;
        }
        URI originUri = uri(o);
        URI hostUri = uri("x://" + host.trim().toLowerCase(Locale.ROOT));
        if (originUri == null || hostUri == null || originUri.getHost() == null || hostUri.getHost() == null) {
            return false;
        }
        int port = hostUri.getPort() >= 0 ? hostUri.getPort() : defaultPort(originUri.getScheme());
        return originUri.getHost().equals(hostUri.getHost()) && originUri.getPort() == port;
    }

    /** scheme://host:port in lower case with the scheme's default port made explicit; unparseable stays as is. */
    static String normalise(String origin) {
        String trimmed = origin.trim().toLowerCase(Locale.ROOT);
        URI uri = uri(trimmed);
        if (uri == null || uri.getScheme() == null || uri.getHost() == null) {
            return trimmed;
        }
        int port = uri.getPort() >= 0 ? uri.getPort() : defaultPort(uri.getScheme());
        return uri.getScheme() + "://" + uri.getHost() + ":" + port;
    }

    private static int defaultPort(String scheme) {
        return "https".equals(scheme) || "wss".equals(scheme) ? 443 : 80;
    }

    private static URI uri(String text) {
        try {
            return new URI(text);
        } catch (URISyntaxException e) {
            return null;
        }
    }
}
