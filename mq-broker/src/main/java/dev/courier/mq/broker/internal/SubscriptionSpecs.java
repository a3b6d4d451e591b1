package dev.courier.mq.broker.internal;

import dev.courier.mq.broker.storage.ChecksummedFile;
import dev.courier.mq.broker.storage.Storage;
import dev.courier.mq.client.protocol.SubscriptionSpec;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;

/**
 * The file that stores a subscription's {@link SubscriptionSpec} beside its cursor ({@code NAME.spec}, a
 * {@link ChecksummedFile} holding properties: {@code key.filter}, {@code header.NAME}, {@code key.ordered}). A
 * plain subscription has none. It is written, forced and renamed into place before the cursor is created, so a
 * subscription never exists without its spec.
 */
final class SubscriptionSpecs {

    static final String SUFFIX = ".spec";
    private static final String KEY_FILTER = "key.filter";
    private static final String HEADER = "header.";
    private static final String KEY_ORDERED = "key.ordered";
    private static final int MAGIC = 0x43535043; // "CSPC"
    /** A spec file is small: refuse to read a larger one. */
    private static final int MAX_BYTES = 256 << 10;

    private SubscriptionSpecs() {}

    static Path file(Path subscriptionsDir, String subscription) {
        return subscriptionsDir.resolve(subscription + SUFFIX);
    }

    /** Stores {@code spec} for the subscription (no file for a plain one). */
    static void write(Storage storage, Path subscriptionsDir, String subscription, SubscriptionSpec spec)
            throws IOException {
        if (spec == null || spec.equals(SubscriptionSpec.PLAIN)) {
            if (storage.isDirectory(subscriptionsDir)) {
                delete(storage, subscriptionsDir, subscription); // one a crashed creation may have left
            }
            return;
        }
        Properties p = new Properties();
        if (spec.keyFilter() != null) {
            p.setProperty(KEY_FILTER, spec.keyFilter());
        }
        spec.headerFilter().forEach((k, v) -> p.setProperty(HEADER + k, v));
        if (spec.keyOrdered()) {
            p.setProperty(KEY_ORDERED, "true");
        }
        StringWriter text = new StringWriter();
        p.store(text, null);
        storage.createDirectoriesDurably(subscriptionsDir);
        ChecksummedFile.write(
                storage,
                file(subscriptionsDir, subscription),
                MAGIC,
                ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.ISO_8859_1)));
    }

    /**
     * The stored spec of a subscription: {@link SubscriptionSpec#PLAIN} when there is no file.
     *
     * @throws IOException if the file cannot be read or does not hold a spec (the subscription must not be
     *                     served unfiltered)
     */
    static SubscriptionSpec read(Storage storage, Path subscriptionsDir, String subscription) throws IOException {
        Path file = file(subscriptionsDir, subscription);
        ByteBuffer b = ChecksummedFile.read(storage, file, MAGIC, MAX_BYTES);
        if (b == null) {
            return SubscriptionSpec.PLAIN;
        }
        Properties p = new Properties();
        p.load(new StringReader(new String(b.array(), b.position(), b.remaining(), StandardCharsets.ISO_8859_1)));
        Map<String, String> headers = new LinkedHashMap<>();
        for (String key : new TreeSet<>(p.stringPropertyNames())) {
            if (key.startsWith(HEADER)) {
                headers.put(key.substring(HEADER.length()), p.getProperty(key));
            } else if (!key.equals(KEY_FILTER) && !key.equals(KEY_ORDERED)) {
                throw new IOException(file + ": unknown key " + key);
            }
        }
        try {
            return new SubscriptionSpec(
                            p.getProperty(KEY_FILTER), headers, Boolean.parseBoolean(p.getProperty(KEY_ORDERED)))
                    .validate();
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    /** Deletes the spec file (and a temporary one left by a crash), if there is one. */
    static void delete(Storage storage, Path subscriptionsDir, String subscription) throws IOException {
        storage.deleteIfExists(subscriptionsDir.resolve(subscription + SUFFIX + ".tmp"));
        storage.deleteIfExists(file(subscriptionsDir, subscription));
    }
}
