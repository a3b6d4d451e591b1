package dev.courier.rpc.internal.server;

import io.netty.channel.Channel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Caps the connections a server holds open: in total, and from any one remote address, so that one
 * peer opening sockets in a loop cannot take every file descriptor and the memory each connection
 * costs. A connection over a cap is closed as soon as it is accepted, before TLS or any byte is read;
 * its client sees the connection fail.
 *
 * <p>Thread-safe: accepted channels from every I/O thread are counted here.
 */
public final class ConnectionLimiter {

    private static final Logger log = LoggerFactory.getLogger(ConnectionLimiter.class);
    private static final long WARN_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final int maxPerAddress;
    private final int maxTotal;
    private final ConcurrentHashMap<InetAddress, Integer> byAddress = new ConcurrentHashMap<>();
    private final AtomicInteger total = new AtomicInteger();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong lastWarnNanos = new AtomicLong(System.nanoTime() - WARN_INTERVAL_NANOS);

    public ConnectionLimiter(int maxPerAddress, int maxTotal) {
        this.maxPerAddress = maxPerAddress;
        this.maxTotal = maxTotal;
    }

    /**
     * Counts {@code channel} until it closes, or returns false when it is over a cap: the caller then
     * closes it without reading from it.
     */
    public boolean admit(Channel channel) {
        if (total.incrementAndGet() > maxTotal) {
            total.decrementAndGet();
            refuse(channel, "the server holds its limit of " + maxTotal + " connections");
            return false;
        }
        InetAddress address = address(channel.remoteAddress());
        if (address != null) {
            boolean[] admitted = new boolean[1];
            byAddress.compute(address, (a, n) -> {
                int count = n == null ? 0 : n;
                admitted[0] = count < maxPerAddress;
                return admitted[0] ? count + 1 : n;
            });
            if (!admitted[0]) {
                total.decrementAndGet();
                refuse(channel, address.getHostAddress() + " holds its limit of " + maxPerAddress + " connections");
                return false;
            }
        }
        channel.closeFuture().addListener(f -> release(address));
        return true;
    }

    /** Connections counted now (for tests and metrics). */
    public int open() {
        return total.get();
    }

    /** Connections refused since start. */
    public long refused() {
        return refused.get();
    }

    private void release(InetAddress address) {
        if (address != null) {
            byAddress.computeIfPresent(address, (a, n) -> n <= 1 ? null : n - 1);
        }
        total.decrementAndGet();
    }

    private void refuse(Channel channel, String why) {
        long n = refused.incrementAndGet();
        long now = System.nanoTime();
        long last = lastWarnNanos.get();
        // A flood of refusals is logged once per interval, not once per socket.
        if (now - last >= WARN_INTERVAL_NANOS && lastWarnNanos.compareAndSet(last, now)) {
            log.warn("Refused a connection from {}: {} ({} refused so far)", channel.remoteAddress(), why, n);
        } else {
            log.debug("Refused a connection from {}: {}", channel.remoteAddress(), why);
        }
    }

    private static InetAddress address(SocketAddress remote) {
        return remote instanceof InetSocketAddress inet ? inet.getAddress() : null;
    }
}
