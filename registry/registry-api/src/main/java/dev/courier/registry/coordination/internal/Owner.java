package dev.courier.registry.coordination.internal;

/** How a lock queue entry names its owner: process id and host, as {@code etcdctl lock} shows them. */
final class Owner {

    static final String NAME = ProcessHandle.current().pid() + "@" + host();

    private Owner() {}

    private static String host() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "unknown-host";
        }
    }
}
