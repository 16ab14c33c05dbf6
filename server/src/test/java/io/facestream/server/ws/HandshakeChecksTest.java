package io.facestream.server.ws;

import io.facestream.protocol.MetricsEvent.Type;
import io.facestream.server.http.TokenCheck;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HandshakeChecksTest {

    @Test
    @DisplayName("by default only the origin matching Host on an allowed host is allowed, whatever the scheme's "
            + "default port")
    void sameOrigin() {
        OriginPolicy p = new OriginPolicy(List.of(), List.of("localhost", "127.0.0.1", "dash.example.com"));
        assertTrue(p.allows("http://localhost:8080", "localhost:8080"));
        assertTrue(p.allows("http://LOCALHOST:8080", "localhost:8080"));
        assertTrue(p.allows("https://dash.example.com", "dash.example.com"));
        assertTrue(p.allows("http://dash.example.com", "dash.example.com"));
        assertTrue(p.allows(null, "localhost:8080"), "a non-browser client sends no Origin");
        assertFalse(p.allows("http://evil.example", "localhost:8080"));
        assertFalse(p.allows("http://localhost:9999", "localhost:8080"));
        assertFalse(p.allows("http://localhost:8080", null));
        assertFalse(p.allows("null", "localhost:8080"));
        assertFalse(p.allows("https://dash.example.com:8443", "dash.example.com"));
    }

    @Test
    @DisplayName("an allow-list replaces the same-origin rule; * allows any origin")
    void allowList() {
        OriginPolicy p = new OriginPolicy(List.of("https://ops.example.com", "http://10.0.0.5:8080"),
                List.of("localhost"));
        assertTrue(p.allows("https://ops.example.com:443", "anything"));
        assertTrue(p.allows("http://10.0.0.5:8080", "anything"));
        assertFalse(p.allows("http://localhost:8080", "localhost:8080"));
        assertTrue(new OriginPolicy(List.of("*"), List.of("localhost")).allows("http://evil.example",
                "localhost:8080"));
    }

    @Test
    @DisplayName("a page whose DNS name was re-bound to the server sends its own name as Origin and Host: refused, "
            + "since the Host header is not trusted to say which origins are ours")
    void rebinding() {
        OriginPolicy loopback = new OriginPolicy(List.of(), List.of("localhost", "127.0.0.1", "[::1]"));
        assertFalse(loopback.allows("http://evil.example:8080", "evil.example:8080"));
        assertTrue(loopback.allows("http://localhost:8080", "localhost:8080"));
        assertTrue(loopback.allows("http://[::1]:8080", "[::1]:8080"));
        OriginPolicy anyHost = new OriginPolicy(List.of(), List.of("*"));
        assertFalse(anyHost.allows("http://evil.example:8080", "evil.example:8080"),
                "server.allowedHosts=* does not make every origin same-origin");
        assertTrue(anyHost.allows("http://127.0.0.1:8080", "127.0.0.1:8080"));
    }

    @Test
    @DisplayName("a close reason is cut to 123 bytes of UTF-8, never inside a character")
    void closeReasonBytes() {
        String ascii = "x".repeat(200);
        assertEquals(123, MetricsClient.truncate(ascii).length());
        String wide = "\u00e9\u20ac\ud83d\ude00".repeat(40);
        String cut = MetricsClient.truncate(wide);
        byte[] bytes = cut.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(bytes.length <= 123 && bytes.length > 123 - 4, bytes.length + " bytes");
        assertTrue(wide.startsWith(cut), "a prefix of whole characters");
        assertEquals("short \u20ac", MetricsClient.truncate("short \u20ac"));
    }

    @Test
    @DisplayName("the token is taken from a Bearer header or the token parameter and must match exactly")
    void token() {
        TokenCheck none = new TokenCheck("");
        assertFalse(none.required());
        assertTrue(none.allows(null, null));
        TokenCheck t = new TokenCheck("s3cret");
        assertTrue(t.allows("Bearer s3cret", null));
        assertTrue(t.allows("bearer s3cret", null));
        assertTrue(t.allows(null, "s3cret"));
        assertFalse(t.allows(null, null));
        assertFalse(t.allows("Bearer s3cre", null));
        assertFalse(t.allows("Basic s3cret", null));
        assertFalse(t.allows(null, "S3CRET"));
    }

    @Test
    @DisplayName("ping and subscribe are the only commands; anything else is rejected naming the problem")
    void commands() throws ClientCommand.Rejected {
        assertInstanceOf(ClientCommand.Ping.class, ClientCommand.parse("{\"cmd\":\"ping\"}"));
        assertEquals(new ClientCommand.Subscribe(EnumSet.of(Type.EVAL, Type.PIPELINE)),
                ClientCommand.parse("{\"cmd\":\"subscribe\",\"types\":[\"eval\",\"pipeline\"]}"));
        assertTrue(assertThrows(ClientCommand.Rejected.class, () -> ClientCommand.parse("hello"))
                .getMessage().contains("JSON object"));
        assertTrue(assertThrows(ClientCommand.Rejected.class, () -> ClientCommand.parse("[1]"))
                .getMessage().contains("JSON object"));
        assertTrue(assertThrows(ClientCommand.Rejected.class, () -> ClientCommand.parse("{\"cmd\":\"drop\"}"))
                .getMessage().contains("unknown command drop"));
        assertTrue(assertThrows(ClientCommand.Rejected.class,
                () -> ClientCommand.parse("{\"cmd\":\"subscribe\",\"types\":[\"loss\"]}"))
                .getMessage().contains("unknown event type loss"));
        assertTrue(assertThrows(ClientCommand.Rejected.class,
                () -> ClientCommand.parse("{\"cmd\":\"subscribe\"}")).getMessage().contains("non-empty array"));
    }
}
