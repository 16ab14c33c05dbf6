package io.facestream.broker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/**
 * Picks loopback ports that are free at the moment of asking. Another process may still take one before the
 * broker binds it, so callers retry on a bind failure.
 */
final class FreePorts {
    private FreePorts() {
    }

    /** Two distinct free ports on {@code address}: both sockets are held open together so they cannot coincide. */
    static int[] pickTwo(InetAddress address) {
        try (ServerSocket first = new ServerSocket(0, 1, address);
             ServerSocket second = new ServerSocket(0, 1, address)) {
            return new int[] {first.getLocalPort(), second.getLocalPort()};
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free port on " + address.getHostAddress(), e);
        }
    }
}
