package dev.courier.serialization.internal.kryo;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.util.DefaultInstantiatorStrategy;
import com.esotericsoftware.kryo.util.MapReferenceResolver;
import dev.courier.serialization.SerializationException;
import dev.courier.serialization.Serializer;
import dev.courier.serialization.TypeAllowlist;
import dev.courier.serialization.internal.Failures;
import dev.courier.serialization.internal.SlotPool;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import org.objenesis.strategy.StdInstantiatorStrategy;

/**
 * The Kryo {@link Serializer}: id {@value #ID}, name {@value #NAME}. Writes one value with its class
 * ({@link Kryo#writeClassAndObject}); classes travel by name through {@link AllowlistClassResolver},
 * which enforces the allowlist on both sides. Object references are tracked, so shared and cyclic
 * graphs survive.
 *
 * <p>This class is thread-safe: {@link Kryo} instances and {@link Output}/{@link BoundedInput} buffers
 * are pooled (lock-free, {@link SlotPool}) and used by one thread at a time. A Kryo instance that failed
 * is reset before it is pooled again (see {@link PooledKryo}).
 */
public final class KryoSerializer implements Serializer {

    public static final byte ID = 1;
    public static final String NAME = "kryo";

    private static final int POOL_SIZE = 64;
    private static final int OUTPUT_BUFFER = 8 * 1024;

    private final SlotPool<PooledKryo> kryos;
    private final SlotPool<Output> outputs;
    private final SlotPool<BoundedInput> inputs;

    public KryoSerializer(TypeAllowlist allowlist, ClassLoader loader) {
        SerializerChooser chooser = new SerializerChooser();
        this.kryos = new SlotPool<>(POOL_SIZE, () -> newKryo(allowlist, chooser, loader));
        this.outputs = new SlotPool<>(POOL_SIZE, () -> new Output(OUTPUT_BUFFER, -1));
        this.inputs = new SlotPool<>(POOL_SIZE, () -> new BoundedInput(allowlist.maxLength()));
    }

    private static PooledKryo newKryo(TypeAllowlist allowlist, SerializerChooser chooser, ClassLoader loader) {
        PooledKryo kryo =
                new PooledKryo(new AllowlistClassResolver(allowlist, chooser, loader), new MapReferenceResolver());
        // The class resolver refuses every class outside the allowlist; Kryo's own registration ids are
        // never written, so Kryo's "registration required" switch (which is order-dependent) stays off.
        kryo.setRegistrationRequired(false);
        kryo.setWarnUnregisteredClasses(false);
        kryo.setClassLoader(loader);
        kryo.setInstantiatorStrategy(new DefaultInstantiatorStrategy(new StdInstantiatorStrategy()));
        return kryo;
    }

    @Override
    public byte id() {
        return ID;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void serialize(Object value, ByteBuf out) {
        PooledKryo kryo = kryos.obtain();
        Output output = outputs.obtain();
        boolean clean = false;
        try {
            output.setOutputStream(new ByteBufOutputStream(out));
            kryo.writeClassAndObject(output, value);
            output.flush();
            clean = true;
        } catch (RuntimeException | StackOverflowError e) {
            throw Failures.wrap(
                    "serialize " + (value == null ? "null" : value.getClass().getName()), e);
        } finally {
            output.setOutputStream(null);
            output.reset(); // what a failed write left buffered must not reach the next caller's stream
            outputs.free(output);
            if (clean || kryo.recover()) {
                kryos.free(kryo);
            }
        }
    }

    @Override
    public <T> T deserialize(ByteBuf in, Class<T> type) {
        int length = in.readableBytes();
        BoundedInput input = inputs.obtain();
        byte[] array;
        int offset;
        if (in.hasArray()) {
            array = in.array();
            offset = in.arrayOffset() + in.readerIndex();
        } else {
            array = input.scratch(length);
            in.getBytes(in.readerIndex(), array, 0, length);
            offset = 0;
        }
        in.skipBytes(length);
        PooledKryo kryo = kryos.obtain();
        boolean clean = false;
        try {
            input.setBuffer(array, offset, length);
            Object value = kryo.readClassAndObject(input);
            if (input.position() != offset + length) {
                throw new SerializationException(
                        "Corrupt input: " + (offset + length - input.position()) + " bytes left after the value");
            }
            clean = true;
            return Failures.cast(value, type);
        } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
            throw Failures.wrap("deserialize", e);
        } finally {
            input.clear();
            inputs.free(input);
            if (clean || kryo.recover()) {
                kryos.free(kryo);
            }
        }
    }
}
