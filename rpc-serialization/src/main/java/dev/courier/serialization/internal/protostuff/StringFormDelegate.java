package dev.courier.serialization.internal.protostuff;

import io.protostuff.Input;
import io.protostuff.Output;
import io.protostuff.Pipe;
import io.protostuff.WireFormat.FieldType;
import io.protostuff.runtime.Delegate;

import java.io.IOException;
import java.util.function.Function;

/**
 * Writes a JDK value type ({@code UUID}, {@code java.time}) as its canonical string and parses it back,
 * because Java 17 forbids the reflection Protostuff's runtime schema would use. Thread-safe.
 */
final class StringFormDelegate implements Delegate<Object> {

    private final Class<?> type;
    private final Function<String, ?> parse;

    StringFormDelegate(Class<?> type, Function<String, ?> parse) {
        this.type = type;
        this.parse = parse;
    }

    @Override
    public FieldType getFieldType() {
        return FieldType.STRING;
    }

    @Override
    public Object readFrom(Input input) throws IOException {
        return parse.apply(input.readString());
    }

    @Override
    public void writeTo(Output output, int number, Object value, boolean repeated) throws IOException {
        output.writeString(number, value.toString(), repeated);
    }

    @Override
    public void transfer(Pipe pipe, Input input, Output output, int number, boolean repeated) throws IOException {
        input.transferByteRangeTo(output, true, number, repeated);
    }

    @Override
    public Class<?> typeClass() {
        return type;
    }
}
