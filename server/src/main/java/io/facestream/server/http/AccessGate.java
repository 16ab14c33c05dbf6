package io.facestream.server.http;

import io.facestream.server.config.ServerConfig;
import io.vertx.ext.web.handler.PlatformHandler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.HostAndPort;
import io.vertx.ext.web.RoutingContext;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The one access check of the HTTP server, ahead of every route. {@code /health} and {@code /ready} are open.
 * Every other request must name an allowed host in {@code Host} ({@code server.allowedHosts}: a page on another
 * site that re-binds its DNS name to this server is refused) and, once {@code server.apiToken} is set, present
 * it as {@code Authorization: Bearer <token>}; a WebSocket handshake may send it as {@code ?token=} instead,
 * since browsers cannot set headers on one. The dashboard's static files hold no data and need no token, so a
 * browser can load the page that then opens the socket with the token. A new route is protected without any
 * change here. A {@link PlatformHandler}, so the router runs it ahead of body handling: the body of a refused
 * request is never buffered.
 */
public final class AccessGate implements PlatformHandler {
    /** Paths that need neither token nor allowed host: probes of orchestrators and load balancers. */
    public static final Set<String> PROBES = Set.of("/health", "/ready");
    /** The dashboard's static files (no data). */
    private static final Set<String> PAGES = Set.of("/", "/index.html", "/dashboard.js", "/dashboard.css",
            "/favicon.ico");
    private static final String WEBJARS = "/webjars/";

    private final TokenCheck token;
    private final boolean anyHost;
    private final Set<String> hosts;

    public AccessGate(String token, List<String> allowedHosts) {
        this.token = new TokenCheck(token);
        this.anyHost = allowedHosts.contains("*");
        this.hosts = allowedHosts.stream().map(AccessGate::bare).collect(java.util.stream.Collectors.toUnmodifiableSet());
    }

    public static AccessGate of(ServerConfig config) {
        return new AccessGate(config.apiToken(), config.allowedHosts());
    }

    /** Whether a token is configured (then every protected route requires it). */
    public boolean tokenRequired() {
        return token.required();
    }

    /** Whether {@code token} is the one this gate checks (the same text, or both none). */
    public boolean checks(String other) {
        return token.required() ? token.allows("Bearer " + (other == null ? "" : other), null)
                : other == null || other.isEmpty();
    }

    @Override
    public void handle(RoutingContext ctx) {
        String path = ctx.normalizedPath();
        if (PROBES.contains(path)) {
            ctx.next();
            return;
        }
        HttpServerRequest req = ctx.request();
        HostAndPort authority = req.authority();
        if (!allowsHost(authority == null ? null : authority.host())) {
            Refusals.early(ctx, 403, "forbidden_host", "host " + (authority == null ? "(none)" : authority.host())
                    + " is not one of server.allowedHosts: reach the server by an allowed name or add this one");
            return;
        }
        if (PAGES.contains(path) || path.startsWith(WEBJARS)) {
            ctx.next();
            return;
        }
        boolean webSocket = "websocket".equalsIgnoreCase(req.getHeader(HttpHeaders.UPGRADE));
        if (!token.allows(req.getHeader(HttpHeaders.AUTHORIZATION), webSocket ? req.getParam("token") : null)) {
            ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"facestream\"");
            Refusals.early(ctx, 401, "unauthorized", req.getHeader(HttpHeaders.AUTHORIZATION) == null
                    ? "this server requires its token (server.apiToken): send 'Authorization: Bearer <token>'"
                    + (webSocket ? " or ?token=<token>" : "")
                    : "the bearer token is not the configured server.apiToken");
            return;
        }
        ctx.next();
    }

    /** Whether {@code host} (from the Host header, without port) may be served. */
    public boolean allowsHost(String host) {
        return anyHost || host != null && hosts.contains(bare(host));
    }

    /** Lower case, IPv6 brackets removed. */
    static String bare(String host) {
        String h = host.trim().toLowerCase(Locale.ROOT);
        return h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
    }
}
