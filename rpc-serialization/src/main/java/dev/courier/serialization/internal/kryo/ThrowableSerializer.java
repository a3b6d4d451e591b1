package dev.courier.serialization.internal.kryo;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import dev.courier.serialization.internal.Throwables;

/**
 * Writes a {@link Throwable} through public API only, so it needs no {@code --add-opens}. The class
 * itself is written by the class resolver; this writes:
 *
 * <pre>
 * message     string (nullable)
 * frameCount  varint
 * frames      frameCount x (classLoaderName, moduleName, moduleVersion, declaringClass, methodName,
 *             fileName: strings, nullable; lineNumber: signed varint)
 * cause       class tag + value (nullable)
 * </pre>
 *
 * Suppressed exceptions and subclass fields are not carried. Stateless and thread-safe.
 */
final class ThrowableSerializer extends Serializer<Throwable> {

    @Override
    public void write(Kryo kryo, Output output, Throwable t) {
        output.writeString(t.getMessage());
        StackTraceElement[] frames = t.getStackTrace();
        output.writeVarInt(frames.length, true);
        for (StackTraceElement f : frames) {
            output.writeString(f.getClassLoaderName());
            output.writeString(f.getModuleName());
            output.writeString(f.getModuleVersion());
            output.writeString(f.getClassName());
            output.writeString(f.getMethodName());
            output.writeString(f.getFileName());
            output.writeVarInt(f.getLineNumber(), false);
        }
        Throwable cause = t.getCause();
        kryo.writeClassAndObject(output, cause == t ? null : cause);
    }

    @Override
    public Throwable read(Kryo kryo, Input input, Class<? extends Throwable> type) {
        String message = input.readString();
        int count = input.readVarInt(true);
        CheckedSerializers.checkLength(input, count);
        StackTraceElement[] frames = new StackTraceElement[count];
        for (int i = 0; i < count; i++) {
            frames[i] = Throwables.frame(
                    input.readString(),
                    input.readString(),
                    input.readString(),
                    input.readString(),
                    input.readString(),
                    input.readString(),
                    input.readVarInt(false));
        }
        Object cause = kryo.readClassAndObject(input);
        if (cause != null && !(cause instanceof Throwable)) {
            throw new KryoException("Corrupt input: cause of " + type.getName() + " is a "
                    + cause.getClass().getName());
        }
        return Throwables.rebuild(type, message, (Throwable) cause, frames);
    }
}
