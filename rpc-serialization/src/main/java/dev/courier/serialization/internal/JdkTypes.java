package dev.courier.serialization.internal;

import java.io.EOFException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.Month;
import java.time.MonthDay;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.Period;
import java.time.Year;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.ConcurrentModificationException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * The JDK classes every {@link dev.courier.serialization.TypeAllowlist} allows, and the JDK classes
 * that need special handling because Java 17 forbids reflection into {@code java.base}.
 */
public final class JdkTypes {

    /** Read back as an immutable {@code List}. */
    public static final List<Class<?>> IMMUTABLE_LISTS = List.of(
            List.of().getClass(),
            List.of(1).getClass(),
            List.of(1, 2, 3).getClass(),
            List.of(1, 2, 3).subList(0, 1).getClass(),
            Collections.emptyList().getClass(),
            Collections.singletonList(1).getClass(),
            Collections.unmodifiableList(new ArrayList<>()).getClass(),
            Collections.unmodifiableList(new LinkedList<>()).getClass(),
            Collections.unmodifiableCollection(new ArrayList<>()).getClass(),
            Arrays.asList().getClass());

    /** Read back as an immutable {@code Set} that keeps iteration order. */
    public static final List<Class<?>> IMMUTABLE_SETS = List.of(
            Set.of().getClass(),
            Set.of(1).getClass(),
            Set.of(1, 2, 3).getClass(),
            Collections.emptySet().getClass(),
            Collections.singleton(1).getClass(),
            Collections.unmodifiableSet(new HashSet<>()).getClass());

    /** Read back as an immutable {@code Map} that keeps iteration order. */
    public static final List<Class<?>> IMMUTABLE_MAPS = List.of(
            Map.of().getClass(),
            Map.of(1, 1).getClass(),
            Map.of(1, 1, 2, 2).getClass(),
            Collections.emptyMap().getClass(),
            Collections.singletonMap(1, 1).getClass(),
            Collections.unmodifiableMap(new HashMap<>()).getClass());

    /** Value types written through their ISO / canonical string form by codecs that cannot reflect into them. */
    public static final List<Class<?>> STRING_FORM_VALUES = List.of(
            UUID.class,
            Duration.class,
            Instant.class,
            LocalDate.class,
            LocalTime.class,
            LocalDateTime.class,
            ZonedDateTime.class,
            OffsetDateTime.class,
            OffsetTime.class,
            Year.class,
            YearMonth.class,
            MonthDay.class,
            Period.class,
            ZoneOffset.class,
            ZoneId.of("Europe/Paris").getClass());

    /** Exceptions that carry no application state and may always cross the wire. */
    public static final List<Class<?>> EXCEPTIONS = List.of(
            Throwable.class,
            Exception.class,
            RuntimeException.class,
            IllegalArgumentException.class,
            IllegalStateException.class,
            UnsupportedOperationException.class,
            NullPointerException.class,
            ArithmeticException.class,
            ClassCastException.class,
            IndexOutOfBoundsException.class,
            ArrayIndexOutOfBoundsException.class,
            StringIndexOutOfBoundsException.class,
            NumberFormatException.class,
            NoSuchElementException.class,
            ConcurrentModificationException.class,
            SecurityException.class,
            IOException.class,
            UncheckedIOException.class,
            EOFException.class,
            FileNotFoundException.class,
            TimeoutException.class,
            CancellationException.class,
            ExecutionException.class,
            CompletionException.class,
            InterruptedException.class);

    /** Mutable collections and maps with a public no-argument constructor. */
    public static final List<Class<?>> MUTABLE_CONTAINERS = List.of(
            ArrayList.class,
            LinkedList.class,
            HashMap.class,
            LinkedHashMap.class,
            TreeMap.class,
            HashSet.class,
            LinkedHashSet.class,
            TreeSet.class,
            ArrayDeque.class,
            ConcurrentHashMap.class);

    private static final List<Class<?>> SCALARS = List.of(
            boolean.class,
            byte.class,
            char.class,
            short.class,
            int.class,
            long.class,
            float.class,
            double.class,
            void.class,
            Boolean.class,
            Byte.class,
            Character.class,
            Short.class,
            Integer.class,
            Long.class,
            Float.class,
            Double.class,
            Void.class,
            String.class,
            BigInteger.class,
            BigDecimal.class,
            Optional.class,
            DayOfWeek.class,
            Month.class,
            ZoneId.class,
            Object[].class);

    private JdkTypes() {}

    /** Every JDK class allowed by default. */
    public static Set<Class<?>> defaults() {
        Set<Class<?>> all = new LinkedHashSet<>(SCALARS);
        all.addAll(STRING_FORM_VALUES);
        all.addAll(MUTABLE_CONTAINERS);
        all.addAll(IMMUTABLE_LISTS);
        all.addAll(IMMUTABLE_SETS);
        all.addAll(IMMUTABLE_MAPS);
        all.addAll(EXCEPTIONS);
        return all;
    }

    /** Whether {@code type} is a JDK class whose fields must not be walked or reflected on. */
    public static boolean isJdk(Class<?> type) {
        String name = type.getName();
        return type.isPrimitive()
                || name.startsWith("java.")
                || name.startsWith("javax.")
                || name.startsWith("jdk.")
                || name.startsWith("sun.")
                || name.startsWith("com.sun.");
    }
}
