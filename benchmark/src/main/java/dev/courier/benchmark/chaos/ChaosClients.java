package dev.courier.benchmark.chaos;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;

/** What the harness's client programs share. */
final class ChaosClients {

    /** Bytes of a payload that can hold its id; the id ends at the first {@code '|'}. */
    static final int ID_BYTES = 64;

    private ChaosClients() {}

    /** A latch released when stdin (a pipe from the harness) reaches end-of-file: the signal to finish. */
    static CountDownLatch stdinClosed() {
        CountDownLatch closed = new CountDownLatch(1);
        Thread t = new Thread(
                () -> {
                    InputStream in = System.in;
                    try {
                        while (in.read() >= 0) {
                            // only the end matters
                        }
                    } catch (IOException e) {
                        // a broken pipe ends it too
                    }
                    closed.countDown();
                },
                "courier-chaos-stdin");
        t.setDaemon(true);
        t.start();
        return closed;
    }

    static byte[] payload(String id, int size) {
        byte[] head = (id + "|").getBytes(StandardCharsets.US_ASCII);
        byte[] payload = new byte[Math.max(size, head.length)];
        System.arraycopy(head, 0, payload, 0, head.length);
        for (int i = head.length; i < payload.length; i++) {
            payload[i] = (byte) ('a' + i % 26);
        }
        return payload;
    }

    /** The id a payload starts with, or {@code ?<first bytes in hex>} if it holds none. */
    static String idOf(byte[] payload) {
        int n = Math.min(payload.length, ID_BYTES);
        for (int i = 0; i < n; i++) {
            if (payload[i] == '|') {
                String id = new String(payload, 0, i, StandardCharsets.US_ASCII);
                if (!id.isEmpty() && id.chars().allMatch(c -> c > ' ' && c < 127)) {
                    return id;
                }
                break;
            }
        }
        StringBuilder hex = new StringBuilder("?");
        for (int i = 0; i < Math.min(n, 16); i++) {
            hex.append(String.format("%02x", payload[i]));
        }
        return hex.toString();
    }
}
