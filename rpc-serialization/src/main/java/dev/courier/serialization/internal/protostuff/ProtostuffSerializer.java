package dev.courier.serialization.internal.protostuff;

import dev.courier.serialization.SerializationException;
import dev.courier.serialization.Serializer;
import dev.courier.serialization.TypeAllowlist;
import dev.courier.serialization.internal.Failures;
import dev.courier.serialization.internal.protostuff.Holders.Envelope;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.ByteBufUtil;
import io.protostuff.LinkedBuffer;
import io.protostuff.ProtostuffIOUtil;
import io.protostuff.Schema;
import io.protostuff.runtime.DefaultIdStrategy;
import io.protostuff.runtime.IdStrategy;
import io.protostuff.runtime.RuntimeSchema;

import java.io.IOException;

/**
 * The Protostuff {@link Serializer}: id {@value #ID}, name {@value #NAME}. A value travels inside an
 * envelope message whose single field is polymorphic, so Protostuff writes the class name of the value
 * and of every polymorphic value inside it:
 *
 * <pre>
 * offset 0  int32 (big-endian)  length of the envelope that follows; must equal the rest of the slice
 * offset 4  bytes               protostuff-encoded envelope { Object value = 1 }
 * </pre>
 *
 * The length makes truncation and trailing bytes detectable (a protostuff message ends wherever its
 * input does). Allowlist enforcement: before writing, {@link GraphCheck} walks the value; while reading,
 * {@link AllowlistClassLoader} is the thread's context class loader, which is where Protostuff loads
 * every class named in its input, so a refused name fails before its class is loaded. Registration
 * order never matters: classes travel by name. Reading goes through a {@link BoundedInput}, which
 * refuses an array length larger than the bytes left (or the allowlist's {@code maxLength}) before
 * Protostuff allocates the array.
 *
 * <p>This class is thread-safe: the id strategy and schemas are concurrent caches, and each thread
 * writes through its own {@link LinkedBuffer}.
 */
public final class ProtostuffSerializer implements Serializer {

    public static final byte ID = 2;
    public static final String NAME = "protostuff";

    static final int LENGTH_OFFSET = 0;
    static final int ENVELOPE_OFFSET = 4;

    /**
     * Fixed flags, independent of Protostuff's system properties. Not MORPH_COLLECTION_INTERFACES nor
     * MORPH_MAP_INTERFACES: they route interface-typed fields through Protostuff's polymorphic collection
     * and map schemas, whose static initialisers reflect into {@code java.util} and fail on Java 17. So a
     * field declared as {@code List} or {@code Map} reads back as the interface's default implementation.
     */
    private static final int FLAGS = IdStrategy.ENUMS_BY_NAME
            | IdStrategy.AUTO_LOAD_POLYMORPHIC_CLASSES
            | IdStrategy.PRESERVE_NULL_ELEMENTS
            | IdStrategy.MORPH_NON_FINAL_POJOS;

    private static final ThreadLocal<LinkedBuffer> BUFFERS =
            ThreadLocal.withInitial(() -> LinkedBuffer.allocate(LinkedBuffer.DEFAULT_BUFFER_SIZE));

    private static final String UNKNOWN_DELEGATE = "delegate: ";

    private final TypeAllowlist allowlist;
    private final Schema<Envelope> schema;
    private final GraphCheck graphCheck;
    private final ClassLoader readLoader;

    public ProtostuffSerializer(TypeAllowlist allowlist, ClassLoader loader) {
        this.allowlist = allowlist;
        DefaultIdStrategy strategy = new DefaultIdStrategy(FLAGS);
        Delegates.registerAll(strategy, allowlist.classes());
        this.schema = RuntimeSchema.getSchema(Envelope.class, strategy);
        this.graphCheck = new GraphCheck(allowlist);
        this.readLoader = new AllowlistClassLoader(allowlist, loader);
    }

    /**
     * Records and exceptions travel through delegates registered per allowed class, so Protostuff refuses
     * other names itself (without loading them) as an "unknown delegate": report that as not allowed.
     */
    private Throwable refusedDelegate(Throwable e) {
        if (e instanceof IdStrategy.UnknownTypeException
                && e.getMessage() != null
                && e.getMessage().startsWith(UNKNOWN_DELEGATE)) {
            String name = e.getMessage().substring(UNKNOWN_DELEGATE.length()).split(" ", 2)[0];
            if (!allowlist.isAllowed(name)) {
                return new SerializationException(
                        SerializationException.notAllowed(name).getMessage(), name, e);
            }
        }
        return e;
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
        graphCheck.check(value);
        Envelope envelope = new Envelope();
        envelope.value = value;
        int start = out.writerIndex();
        out.writeInt(0);
        LinkedBuffer buffer = BUFFERS.get();
        try {
            ProtostuffIOUtil.writeTo(new ByteBufOutputStream(out), envelope, schema, buffer);
        } catch (IOException | RuntimeException | StackOverflowError e) {
            throw Failures.wrap(
                    "serialize " + (value == null ? "null" : value.getClass().getName()), e);
        } finally {
            buffer.clear();
        }
        out.setInt(start + LENGTH_OFFSET, out.writerIndex() - start - ENVELOPE_OFFSET);
    }

    @Override
    public <T> T deserialize(ByteBuf in, Class<T> type) {
        int length = in.readableBytes();
        byte[] array;
        int offset;
        if (in.hasArray()) {
            array = in.array();
            offset = in.arrayOffset() + in.readerIndex();
        } else {
            array = ByteBufUtil.getBytes(in, in.readerIndex(), length, false);
            offset = 0;
        }
        int envelopeLength = length >= ENVELOPE_OFFSET ? in.getInt(in.readerIndex() + LENGTH_OFFSET) : -1;
        in.skipBytes(length);
        if (envelopeLength != length - ENVELOPE_OFFSET) {
            throw new SerializationException("Corrupt input: " + length + " bytes where the header announces "
                    + (envelopeLength + ENVELOPE_OFFSET));
        }
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(readLoader);
        try {
            Envelope envelope = schema.newMessage();
            BoundedInput input =
                    new BoundedInput(array, offset + ENVELOPE_OFFSET, envelopeLength, allowlist.maxLength());
            schema.mergeFrom(input, envelope);
            input.checkEnd();
            return Failures.cast(envelope.value, type);
        } catch (IOException | RuntimeException | StackOverflowError | OutOfMemoryError | LinkageError e) {
            // LinkageError: corrupt input can name Protostuff's polymorphic JDK-collection schema, whose
            // static initialiser cannot run on Java 17.
            throw Failures.wrap("deserialize", refusedDelegate(e));
        } finally {
            thread.setContextClassLoader(previous);
        }
    }
}
