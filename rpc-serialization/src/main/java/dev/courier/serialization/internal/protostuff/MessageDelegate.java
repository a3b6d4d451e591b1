package dev.courier.serialization.internal.protostuff;

import io.protostuff.Input;
import io.protostuff.Output;
import io.protostuff.Pipe;
import io.protostuff.Schema;
import io.protostuff.WireFormat.FieldType;
import io.protostuff.runtime.Delegate;

import java.io.IOException;

/**
 * A Protostuff {@link Delegate} that writes a value as a nested message of type {@code M} and rebuilds
 * it from that message, so that values which cannot be created empty and filled in afterwards
 * (records, {@code Optional}, exceptions, immutable collections) are built in one step from their
 * decoded parts. Pipes are not supported. Thread-safe when the conversions are.
 */
abstract class MessageDelegate<V, M> implements Delegate<Object> {

    private final Class<?> type;
    private final Schema<M> schema;

    MessageDelegate(Class<?> type, Schema<M> schema) {
        this.type = type;
        this.schema = schema;
    }

    /** The message that carries {@code value}. */
    abstract M toMessage(V value);

    /** The value carried by {@code message}. */
    abstract V fromMessage(M message);

    @Override
    public final FieldType getFieldType() {
        return FieldType.MESSAGE;
    }

    @Override
    public final Object readFrom(Input input) throws IOException {
        return fromMessage(input.mergeObject(null, schema));
    }

    @Override
    @SuppressWarnings("unchecked")
    public final void writeTo(Output output, int number, Object value, boolean repeated) throws IOException {
        output.writeObject(number, toMessage((V) value), schema, repeated);
    }

    @Override
    public final void transfer(Pipe pipe, Input input, Output output, int number, boolean repeated) {
        throw new UnsupportedOperationException("Pipes are not supported for " + type.getName());
    }

    @Override
    public final Class<?> typeClass() {
        return type;
    }
}
