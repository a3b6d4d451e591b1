package dev.courier.serialization.internal.protostuff;

import dev.courier.serialization.SerializationException;
import dev.courier.serialization.internal.JdkTypes;
import dev.courier.serialization.internal.Throwables;
import dev.courier.serialization.internal.protostuff.Holders.Frame;
import dev.courier.serialization.internal.protostuff.Holders.ThrowableState;
import dev.courier.serialization.internal.protostuff.Holders.Values;
import io.protostuff.CollectionSchema;
import io.protostuff.MapSchema;
import io.protostuff.Schema;
import io.protostuff.runtime.DefaultIdStrategy;
import io.protostuff.runtime.RuntimeSchema;

import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.MonthDay;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.Period;
import java.time.Year;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;

/**
 * Registers on a Protostuff {@link DefaultIdStrategy} everything the runtime schema cannot do on Java 17
 * without {@code --add-opens}: JDK value types (as strings), {@code Optional}, records (through their
 * canonical constructor), exceptions (class, message, stack, cause; rebuilt by {@link Throwables}) and the
 * JDK's immutable collections (by their elements).
 */
final class Delegates {

    private static final Map<Class<?>, Function<String, ?>> PARSERS = Map.ofEntries(
            Map.entry(UUID.class, UUID::fromString),
            Map.entry(Duration.class, Duration::parse),
            Map.entry(Instant.class, Instant::parse),
            Map.entry(LocalDate.class, LocalDate::parse),
            Map.entry(LocalTime.class, LocalTime::parse),
            Map.entry(LocalDateTime.class, LocalDateTime::parse),
            Map.entry(ZonedDateTime.class, ZonedDateTime::parse),
            Map.entry(OffsetDateTime.class, OffsetDateTime::parse),
            Map.entry(OffsetTime.class, OffsetTime::parse),
            Map.entry(Year.class, Year::parse),
            Map.entry(YearMonth.class, YearMonth::parse),
            Map.entry(MonthDay.class, MonthDay::parse),
            Map.entry(Period.class, Period::parse),
            Map.entry(ZoneOffset.class, ZoneOffset::of),
            Map.entry(ZoneId.of("Europe/Paris").getClass(), ZoneId::of));

    private Delegates() {}

    static void registerAll(DefaultIdStrategy strategy, Collection<Class<?>> allowed) {
        Schema<Values> values = RuntimeSchema.getSchema(Values.class, strategy);
        PARSERS.forEach(
                (type, parse) -> strategy.registerDelegate(type.getName(), new StringFormDelegate(type, parse)));
        strategy.registerDelegate(
                Optional.class.getName(),
                new ValuesDelegate<Optional<?>>(
                        Optional.class,
                        values,
                        o -> o.isPresent() ? new Object[] {o.get()} : new Object[0],
                        v -> v.length == 0 ? Optional.empty() : Optional.ofNullable(v[0])));
        for (Class<?> type : JdkTypes.IMMUTABLE_LISTS) {
            strategy.registerDelegate(
                    type.getName(),
                    new ValuesDelegate<Collection<?>>(
                            type,
                            values,
                            Collection::toArray,
                            v -> Collections.unmodifiableList(new ArrayList<>(Arrays.asList(v)))));
            strategy.registerCollection(collectionFactory(type, ArrayList::new));
        }
        for (Class<?> type : JdkTypes.IMMUTABLE_SETS) {
            strategy.registerDelegate(
                    type.getName(),
                    new ValuesDelegate<Collection<?>>(
                            type,
                            values,
                            Collection::toArray,
                            v -> Collections.unmodifiableSet(new LinkedHashSet<>(Arrays.asList(v)))));
            strategy.registerCollection(collectionFactory(type, LinkedHashSet::new));
        }
        for (Class<?> type : JdkTypes.IMMUTABLE_MAPS) {
            strategy.registerDelegate(
                    type.getName(),
                    new ValuesDelegate<Map<?, ?>>(type, values, Delegates::flatten, Delegates::unflatten));
            strategy.registerMap(mapFactory(type));
        }
        Schema<ThrowableState> throwableSchema = RuntimeSchema.getSchema(ThrowableState.class, strategy);
        for (Class<?> type : allowed) {
            if (Throwable.class.isAssignableFrom(type)) {
                strategy.registerDelegate(type.getName(), new ThrowableDelegate(type, throwableSchema));
            } else if (type.isRecord()) {
                strategy.registerDelegate(
                        type.getName(),
                        new ValuesDelegate<Object>(type, values, recordParts(type), recordBuilder(type)));
            }
        }
    }

    private static Object[] flatten(Map<?, ?> map) {
        Object[] flat = new Object[map.size() * 2];
        int i = 0;
        for (Map.Entry<?, ?> e : map.entrySet()) {
            flat[i++] = e.getKey();
            flat[i++] = e.getValue();
        }
        return flat;
    }

    private static Map<?, ?> unflatten(Object[] flat) {
        if (flat.length % 2 != 0) {
            throw new SerializationException("Corrupt input: odd number of map entries");
        }
        Map<Object, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < flat.length; i += 2) {
            map.put(flat[i], flat[i + 1]);
        }
        return Collections.unmodifiableMap(map);
    }

    private static Function<Object, Object[]> recordParts(Class<?> type) {
        RecordComponent[] components = type.getRecordComponents();
        Field[] fields = new Field[components.length];
        for (int i = 0; i < components.length; i++) {
            try {
                fields[i] = type.getDeclaredField(components[i].getName());
                fields[i].setAccessible(true);
            } catch (NoSuchFieldException e) {
                throw new IllegalStateException("Record " + type.getName() + " lacks its field " + components[i], e);
            }
        }
        return record -> {
            Object[] parts = new Object[fields.length];
            try {
                for (int i = 0; i < fields.length; i++) {
                    parts[i] = fields[i].get(record);
                }
            } catch (IllegalAccessException e) {
                throw new SerializationException("Cannot read record " + type.getName(), type.getName(), e);
            }
            return parts;
        };
    }

    private static Function<Object[], Object> recordBuilder(Class<?> type) {
        RecordComponent[] components = type.getRecordComponents();
        Class<?>[] types =
                Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new);
        Constructor<?> canonical;
        try {
            canonical = type.getDeclaredConstructor(types);
            canonical.setAccessible(true);
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException("Record " + type.getName() + " lacks its canonical constructor", e);
        }
        return parts -> {
            if (parts.length != types.length) {
                throw new SerializationException(
                        "Corrupt input: " + parts.length + " components for record " + type.getName(),
                        type.getName(),
                        null);
            }
            try {
                return canonical.newInstance(parts);
            } catch (ReflectiveOperationException | IllegalArgumentException e) {
                throw new SerializationException("Cannot rebuild record " + type.getName(), type.getName(), e);
            }
        };
    }

    private static CollectionSchema.MessageFactory collectionFactory(
            Class<?> type, java.util.function.Supplier<Collection<Object>> make) {
        return new CollectionSchema.MessageFactory() {
            @Override
            @SuppressWarnings("unchecked")
            public <V> Collection<V> newMessage() {
                return (Collection<V>) make.get();
            }

            @Override
            public Class<?> typeClass() {
                return type;
            }
        };
    }

    private static MapSchema.MessageFactory mapFactory(Class<?> type) {
        return new MapSchema.MessageFactory() {
            @Override
            public <K, V> Map<K, V> newMessage() {
                return new LinkedHashMap<>();
            }

            @Override
            public Class<?> typeClass() {
                return type;
            }
        };
    }

    /** A value carried as an ordered list of polymorphic parts. */
    private static final class ValuesDelegate<V> extends MessageDelegate<V, Values> {
        private final Function<V, Object[]> explode;
        private final Function<Object[], ?> build;

        ValuesDelegate(
                Class<?> type, Schema<Values> schema, Function<V, Object[]> explode, Function<Object[], ?> build) {
            super(type, schema);
            this.explode = explode;
            this.build = build;
        }

        @Override
        Values toMessage(V value) {
            return new Values(explode.apply(value));
        }

        @Override
        @SuppressWarnings("unchecked")
        V fromMessage(Values message) {
            return (V) build.apply(message.values == null ? new Object[0] : message.values);
        }
    }

    /** A {@link Throwable}: message, frames and cause; the class is the delegate's own. */
    private static final class ThrowableDelegate extends MessageDelegate<Throwable, ThrowableState> {
        private final Class<?> type;

        ThrowableDelegate(Class<?> type, Schema<ThrowableState> schema) {
            super(type, schema);
            this.type = type;
        }

        @Override
        ThrowableState toMessage(Throwable t) {
            ThrowableState s = new ThrowableState();
            s.message = t.getMessage();
            StackTraceElement[] frames = t.getStackTrace();
            s.stack = new Frame[frames.length];
            for (int i = 0; i < frames.length; i++) {
                StackTraceElement e = frames[i];
                Frame f = new Frame();
                f.classLoaderName = e.getClassLoaderName();
                f.moduleName = e.getModuleName();
                f.moduleVersion = e.getModuleVersion();
                f.declaringClass = e.getClassName();
                f.methodName = e.getMethodName();
                f.fileName = e.getFileName();
                f.lineNumber = e.getLineNumber();
                s.stack[i] = f;
            }
            s.cause = t.getCause() == t ? null : t.getCause();
            return s;
        }

        @Override
        Throwable fromMessage(ThrowableState s) {
            Frame[] in = s.stack == null ? new Frame[0] : s.stack;
            StackTraceElement[] frames = new StackTraceElement[in.length];
            for (int i = 0; i < in.length; i++) {
                Frame f = in[i];
                if (f == null) {
                    throw new SerializationException("Corrupt input: missing stack frame");
                }
                frames[i] = Throwables.frame(
                        f.classLoaderName,
                        f.moduleName,
                        f.moduleVersion,
                        f.declaringClass,
                        f.methodName,
                        f.fileName,
                        f.lineNumber);
            }
            if (s.cause != null && !(s.cause instanceof Throwable)) {
                throw new SerializationException(
                        "Corrupt input: cause is a " + s.cause.getClass().getName());
            }
            return Throwables.rebuild(type, s.message, (Throwable) s.cause, frames);
        }
    }
}
