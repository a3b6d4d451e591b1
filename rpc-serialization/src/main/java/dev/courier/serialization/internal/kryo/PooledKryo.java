package dev.courier.serialization.internal.kryo;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.ReferenceResolver;

/**
 * A {@link Kryo} that can go back to its pool after a failed call. Kryo does not always unwind its
 * state when a serializer throws (its generics stack in particular), so {@link #recover()} resets the
 * graph state and replaces the generics tracker; an instance that has failed often is retired anyway,
 * as a guard against state Kryo keeps privately.
 *
 * <p>Not thread-safe, like every Kryo.
 */
final class PooledKryo extends Kryo {

    private static final int MAX_FAILURES = 64;

    private int failures;

    PooledKryo(AllowlistClassResolver classResolver, ReferenceResolver referenceResolver) {
        super(classResolver, referenceResolver);
    }

    /** Makes this instance fit for reuse after a failed call; returns {@code false} when it should be dropped. */
    boolean recover() {
        reset();
        setOptimizedGenerics(true);
        return ++failures < MAX_FAILURES;
    }
}
