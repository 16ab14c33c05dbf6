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
 * the visitor's network position or cookies). With no allow-list an origin is allowed when its host is one the
 * server may be reached by ({@code server.allowedHosts}, or a loopback name when that is {@code *}) and it
 * matches the request's {@code Host}: same host name, and the port the {@code Host} names (or, without one, the
 * default port of the origin's scheme — so a proxy that ends TLS still matches). The {@code Host} header alone is
 * never trusted: a page whose DNS name was re-bound to this server sends its own name as both Origin and Host.
 * {@code *} allows any origin.
 * A request without {@code Origin} (not a browser: curl, a Java client) is allowed, since no page can make one.
 */
public final class OriginPolicy {
    private static final List<String> LOOPBACK = List.of("localhost", "127.0.0.1", "::1");

    private final boolean any;
    private final Set<String> allowed;
    private final Set<String> hosts;

    /**
     * @param allowedOrigins the origins allowed ({@code server.ws.allowedOrigins}); empty = same-origin on an
     *                       allowed host
     * @param allowedHosts   the host names the server may be reached by ({@code server.allowedHosts})
     */
    public OriginPolicy(List<String> allowedOrigins, List<String> allowedHosts) {
        this.any = allowedOrigins.contains("*");
        this.allowed = allowedOrigins.stream().map(OriginPolicy::normalise).collect(Collectors.toUnmodifiableSet());
        List<String> named = allowedHosts.stream().filter(h -> !h.equals("*")).toList();
        this.hosts = (named.isEmpty() ? LOOPBACK : named).stream().map(OriginPolicy::bare)
                .collect(Collectors.toUnmodifiableSet());
    }

    private static String bare(String host) {
        String h = host.trim().toLowerCase(Locale.ROOT);
        return h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
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
        if (!hosts.contains(bare(originUri.getHost()))) {
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
