package dev.courier.serialization;

import java.lang.management.ManagementFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The property every deserialization fuzz target checks: decoding arbitrary bytes under the
 * contract suite's allowlist returns a value or throws {@link SerializationException}, nothing else;
 * allocates a bounded amount; and a decoded value encodes again and decodes to the same class.
 */
final class DeserializationFuzzing {

    /** Far above what decoding a few kilobytes honestly needs, far below what a hostile length asks for. */
    static final long ALLOCATION_BOUND = 64L * 1024 * 1024;

    private DeserializationFuzzing() {}

    static void check(Serializer serializer, byte[] input) {
        long before = allocatedBytes();
        Object value = decode(serializer, input);
        long allocated = allocatedBytes() - before;
        if (allocated >= ALLOCATION_BOUND) {
            // The first decoding to reach a class loads (and, while fuzzing, instruments) it on this thread,
            // which can allocate hundreds of megabytes once; a length that allocates does so every time.
            before = allocatedBytes();
            value = decode(serializer, input);
            allocated = allocatedBytes() - before;
        }
        assertThat(allocated)
                .as("bytes allocated decoding %d input bytes", input.length)
                .isLessThan(ALLOCATION_BOUND);
        if (value instanceof SerializationException || value == null) {
            return;
        }
        byte[] again;
        try {
            again = serializer.serialize(value);
        } catch (SerializationException unwritable) {
            // Some decodable values cannot be written back (Protostuff: a graph with a cycle); refusing is fine.
            return;
        }
        assertThat(serializer.deserialize(again, Object.class)).isInstanceOf(value.getClass());
    }

    private static Object decode(Serializer serializer, byte[] input) {
        try {
            return serializer.deserialize(input, Object.class);
        } catch (SerializationException refused) {
            return refused;
        }
    }

    static long allocatedBytes() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assertThat(threads.isThreadAllocatedMemoryEnabled())
                .as("per-thread allocation accounting")
                .isTrue();
        return threads.getCurrentThreadAllocatedBytes();
    }
}
