package dev.courier.serialization;

import dev.courier.serialization.Fixtures.Circle;
import dev.courier.serialization.Fixtures.Customer;
import dev.courier.serialization.Fixtures.Drawing;
import dev.courier.serialization.Fixtures.LineItem;
import dev.courier.serialization.Fixtures.Money;
import dev.courier.serialization.Fixtures.Order;
import dev.courier.serialization.Fixtures.OrderNotFoundException;
import dev.courier.serialization.Fixtures.QuotaExceededException;
import dev.courier.serialization.Fixtures.SecretA;
import dev.courier.serialization.Fixtures.SecretRecord;
import dev.courier.serialization.Fixtures.Square;
import dev.courier.serialization.Fixtures.Status;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The behaviour every {@link Serializer} must have. Subclass it once per implementation and return
 * the implementation's provider from {@link #provider()}.
 */
public abstract class SerializerContractTest {

    /** The provider under test. */
    protected abstract SerializerProvider provider();

    /**
     * This serializer's encoding of an {@code int[]} whose header announces {@code length} elements and
     * which carries exactly one element, {@code 7}, written by hand as a hostile peer would: with a
     * length of 1 it decodes to {@code int[] {7}}.
     */
    protected abstract byte[] intArrayAnnouncing(int length);

    /** Bytes allocated by the current thread so far. */
    protected static long allocatedBytes() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assertThat(threads.isThreadAllocatedMemoryEnabled())
                .as("per-thread allocation accounting")
                .isTrue();
        return threads.getCurrentThreadAllocatedBytes();
    }

    /** Far below what any hostile length in these tests asks for (hundreds of megabytes and more). */
    protected static final long ALLOCATION_BOUND = 4L * 1024 * 1024;

    private final Serializer serializer = provider().create(Fixtures.allowlist());

    private <T> T roundTrip(T value) {
        @SuppressWarnings("unchecked")
        Class<T> type = value == null ? (Class<T>) Object.class : (Class<T>) value.getClass();
        return roundTrip(value, type);
    }

    private <T> T roundTrip(Object value, Class<T> declared) {
        return serializer.deserialize(serializer.serialize(value), declared);
    }

    @Test
    void providerAndSerializerAgreeOnIdAndName() {
        assertThat(serializer.id()).isEqualTo(provider().id());
        assertThat(serializer.name()).isEqualTo(provider().name());
    }

    @Test
    void primitivesAndBoxesRoundTrip() {
        List<Object> values = List.of(
                0,
                1,
                -1,
                Integer.MAX_VALUE,
                Integer.MIN_VALUE,
                Long.MAX_VALUE,
                Long.MIN_VALUE,
                (byte) -7,
                (short) 300,
                'x',
                '\u20ac',
                true,
                false,
                1.5f,
                -0.0d,
                Double.NaN,
                Double.MAX_VALUE,
                Float.MIN_VALUE);
        for (Object v : values) {
            assertThat(roundTrip(v))
                    .as("%s (%s)", v, v.getClass().getSimpleName())
                    .isEqualTo(v)
                    .isInstanceOf(v.getClass());
        }
        assertThat(roundTrip(42, int.class)).isEqualTo(42);
        assertThat(roundTrip(new int[] {1, -2, 3})).containsExactly(1, -2, 3);
        assertThat(roundTrip(new long[] {Long.MIN_VALUE, 0})).containsExactly(Long.MIN_VALUE, 0);
        assertThat(roundTrip(new double[] {0.5})).containsExactly(0.5);
        assertThat(roundTrip(new boolean[] {true, false})).containsExactly(true, false);
        assertThat(roundTrip(new char[] {'a', 'é'})).containsExactly('a', 'é');
        assertThat(roundTrip(new short[] {Short.MIN_VALUE, 7})).containsExactly(Short.MIN_VALUE, (short) 7);
        assertThat(roundTrip(new float[] {-1.5f, Float.NaN})).containsExactly(-1.5f, Float.NaN);
        assertThat(roundTrip(new int[0])).isEmpty();
        assertThat(roundTrip(new Object[] {new long[] {3, 4}, new boolean[0]}))
                .satisfiesExactly(
                        a -> assertThat((long[]) a).containsExactly(3, 4),
                        a -> assertThat((boolean[]) a).isEmpty());
    }

    @Test
    void stringsRoundTripIncludingEmptyAndUnicode() {
        for (String s : List.of(
                "",
                "a",
                "plain ascii",
                "Zoë – naïve café ✓",
                "日本語テキスト",
                "emoji 😀🚀 surrogate pairs",
                "\u0000 nul and \uffff",
                "x".repeat(10_000))) {
            assertThat(roundTrip(s)).isEqualTo(s);
        }
    }

    @Test
    void nullRoundTripsWhateverTheDeclaredType() {
        assertThat(roundTrip(null, Object.class)).isNull();
        assertThat(roundTrip(null, String.class)).isNull();
        assertThat(roundTrip(null, Order.class)).isNull();
        Customer c = new Customer(null, null);
        assertThat(roundTrip(c)).isEqualTo(c);
        List<String> withNulls = new ArrayList<>(Arrays.asList("a", null, "c"));
        assertThat(roundTrip(withNulls, Object.class)).isEqualTo(withNulls);
    }

    @Test
    void mutableCollectionsRoundTripWithTheirRuntimeClass() {
        List<java.util.Collection<?>> values = List.of(
                new ArrayList<>(List.of(1, 2, 3)),
                new LinkedList<>(List.of("a", "b")),
                new HashSet<>(Set.of(1L, 2L)),
                new LinkedHashSet<>(List.of("z", "a", "m")),
                new TreeSet<>(Set.of("b", "a")),
                new ArrayDeque<>(List.of(3, 1, 2)),
                new ArrayList<>());
        for (java.util.Collection<?> c : values) {
            Object back = roundTrip(c, java.util.Collection.class);
            assertThat(back).as(c.getClass().getSimpleName()).isInstanceOf(c.getClass());
            assertThat(new ArrayList<Object>((java.util.Collection<?>) back)).isEqualTo(new ArrayList<Object>(c));
        }
    }

    @Test
    void immutableJdkCollectionsReadBackAsEqualCollections() {
        List<Object> values = List.of(
                List.of(),
                List.of(1),
                List.of(1, 2, 3),
                List.of(1, 2, 3).subList(1, 3),
                Collections.emptyList(),
                Collections.singletonList("x"),
                Collections.unmodifiableList(new ArrayList<>(List.of("u", "v"))),
                Arrays.asList("p", "q"),
                Set.of(),
                Set.of("s"),
                Set.of(1, 2, 3),
                Collections.emptySet(),
                Collections.singleton(9),
                Collections.unmodifiableSet(new LinkedHashSet<>(List.of(3, 1))),
                Map.of(),
                Map.of("k", 1),
                Map.of("a", 1, "b", 2, "c", 3),
                Collections.emptyMap(),
                Collections.singletonMap("one", 1),
                Collections.unmodifiableMap(new HashMap<>(Map.of("m", "n"))));
        for (Object v : values) {
            assertThat(roundTrip(v, Object.class)).as(v.getClass().getName()).isEqualTo(v);
        }
    }

    @Test
    void immutableJdkCollectionsInDeclaredFieldsRoundTrip() {
        for (List<String> emails : List.of(
                List.of("a@x", "b@x"),
                List.<String>of(),
                Collections.singletonList("s@x"),
                Collections.unmodifiableList(new ArrayList<>(List.of("u@x"))),
                Collections.<String>emptyList(),
                Arrays.asList("p@x"))) {
            Customer c = new Customer("n", emails);
            assertThat(roundTrip(c)).as(emails.getClass().getName()).isEqualTo(c);
        }
    }

    @Test
    void mapsRoundTripWithTheirRuntimeClassAndOrder() {
        LinkedHashMap<String, Integer> linked = new LinkedHashMap<>();
        linked.put("z", 1);
        linked.put("a", 2);
        linked.put("m", 3);
        Map<?, ?> back = roundTrip(linked, Map.class);
        assertThat(back).isInstanceOf(LinkedHashMap.class);
        assertThat(new ArrayList<Object>(back.keySet())).containsExactly("z", "a", "m");

        assertThat(roundTrip(new HashMap<>(Map.of(1, "one", 2, "two")))).isEqualTo(Map.of(1, "one", 2, "two"));
        assertThat(roundTrip(new TreeMap<>(Map.of("b", 2, "a", 1))))
                .isInstanceOf(TreeMap.class)
                .containsExactly(Map.entry("a", 1), Map.entry("b", 2));
        assertThat(roundTrip(new ConcurrentHashMap<>(Map.of("k", List.of(1, 2)))))
                .isInstanceOf(ConcurrentHashMap.class)
                .isEqualTo(Map.of("k", List.of(1, 2)));
        Map<String, Object> nested = new HashMap<>();
        nested.put("list", new ArrayList<>(List.of(new HashMap<>(Map.of("deep", 1)))));
        nested.put("nothing", null);
        assertThat(roundTrip(nested)).isEqualTo(nested);
    }

    @Test
    void nestedPojosRoundTrip() {
        Order order = Fixtures.sampleOrder();
        order.cached = "changed by the sender";
        Order back = roundTrip(order);
        assertThat(back).isEqualTo(order);
        assertThat(back.cached).as("transient field").isNotEqualTo(order.cached);
        assertThat(back.customer.emails).containsExactly("zoe@example.org");
    }

    @Test
    void recordsRoundTripThroughTheirCanonicalConstructor() {
        LineItem item = new LineItem("sku", 5, new Money(-1, "€"), Optional.of("note"));
        assertThat(roundTrip(item)).isEqualTo(item);
        assertThat(roundTrip(new Money(0, null))).isEqualTo(new Money(0, null));
        assertThat(roundTrip(new ArrayList<>(List.of(item, item)))).containsExactly(item, item);
    }

    @Test
    void enumsRoundTripIncludingConstantsWithBodies() {
        for (Status s : Status.values()) {
            assertThat(roundTrip(s, Status.class)).isSameAs(s);
            assertThat(roundTrip(s, Object.class)).isSameAs(s);
        }
        assertThat(roundTrip(Status.PAID, Status.class).label()).isEqualTo("paid!");
        assertThat(roundTrip(new ArrayList<>(List.of(Status.PAID, Status.NEW))))
                .containsExactly(Status.PAID, Status.NEW);
    }

    @Test
    void optionalRoundTripsEmptyAndPresent() {
        assertThat(roundTrip(Optional.empty(), Object.class)).isEqualTo(Optional.empty());
        assertThat(roundTrip(Optional.of("x"), Object.class)).isEqualTo(Optional.of("x"));
        assertThat(roundTrip(Optional.of(new Money(1, "EUR")), Object.class))
                .isEqualTo(Optional.of(new Money(1, "EUR")));
    }

    @Test
    void jdkValueTypesRoundTrip() {
        List<Object> values = List.of(
                new BigInteger("-123456789012345678901234567890"),
                new BigDecimal("1e-40"),
                UUID.randomUUID(),
                Instant.ofEpochSecond(1, 999),
                LocalDate.of(2024, 2, 29),
                LocalDateTime.of(2020, 1, 2, 3, 4, 5),
                Duration.ofMillis(1234),
                ZonedDateTime.of(2021, 3, 4, 5, 6, 7, 8, ZoneId.of("Europe/Paris")),
                ZoneId.of("Asia/Tokyo"));
        for (Object v : values) {
            assertThat(roundTrip(v, Object.class)).as(v.getClass().getName()).isEqualTo(v);
        }
    }

    @Test
    void exceptionsRoundTripWithClassMessageStackTraceAndCause() {
        IOException root = new IOException("disk on fire");
        IllegalStateException middle = new IllegalStateException("cannot save", root);
        RuntimeException top = new RuntimeException("request failed", middle);

        Throwable back = roundTrip(top, Throwable.class);

        assertThat(back).isExactlyInstanceOf(RuntimeException.class).hasMessage("request failed");
        assertThat(back.getStackTrace()).isEqualTo(top.getStackTrace());
        assertThat(back.getCause())
                .isExactlyInstanceOf(IllegalStateException.class)
                .hasMessage("cannot save");
        assertThat(back.getCause().getStackTrace()).isEqualTo(middle.getStackTrace());
        assertThat(back.getCause().getCause())
                .isExactlyInstanceOf(IOException.class)
                .hasMessage("disk on fire")
                .hasNoCause();
    }

    @Test
    void applicationExceptionsAndNullMessagesRoundTrip() {
        OrderNotFoundException notFound = new OrderNotFoundException("no order 7");
        assertThat(roundTrip(notFound, Exception.class))
                .isExactlyInstanceOf(OrderNotFoundException.class)
                .hasMessage("no order 7")
                .hasNoCause();

        QuotaExceededException quota = new QuotaExceededException("quota", new UnsupportedOperationException());
        Throwable back = roundTrip(quota, Throwable.class);
        assertThat(back).isExactlyInstanceOf(QuotaExceededException.class).hasMessage("quota");
        assertThat(back.getCause())
                .isExactlyInstanceOf(UnsupportedOperationException.class)
                .hasMessage(null);

        UncheckedIOException unchecked = new UncheckedIOException("wrapped", new IOException("io"));
        assertThat(roundTrip(unchecked, Throwable.class))
                .isExactlyInstanceOf(UncheckedIOException.class)
                .hasMessage("wrapped")
                .hasCauseExactlyInstanceOf(IOException.class);
        assertThat(roundTrip(new NullPointerException(), Throwable.class))
                .isExactlyInstanceOf(NullPointerException.class);
    }

    @Test
    void valuesKeepTheirRuntimeClassWhenDeclaredAsASupertype() {
        Drawing d = new Drawing();
        d.shapes.add(new Circle("c", 1.5));
        d.shapes.add(new Square("s", 2));
        d.main = new Square("main", 9);
        d.anything = new LinkedList<>(List.of(new Circle("in a list", 3)));
        Drawing back = roundTrip(d);
        assertThat(back).isEqualTo(d);
        assertThat(back.anything).isInstanceOf(LinkedList.class);
        assertThat(back.main).isInstanceOf(Square.class);

        assertThat((Object) roundTrip(new ArrayList<>(List.of(1)), List.class)).isInstanceOf(ArrayList.class);
        assertThat(roundTrip(new Circle("c", 2), Fixtures.Shape.class)).isInstanceOf(Circle.class);
        Fixtures.Shape[] shapes = {new Circle("a", 1), new Square("b", 2), null};
        assertThat(roundTrip(shapes, Object.class))
                .isInstanceOf(Fixtures.Shape[].class)
                .isEqualTo(shapes);
        Object[] mixed = {1, "two", 3.0, null, Status.NEW};
        assertThat(roundTrip(mixed)).containsExactly(mixed);
    }

    @Test
    void largeByteArrayOf16MiBRoundTrips() {
        byte[] big = new byte[16 * 1024 * 1024];
        new Random(7).nextBytes(big);
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer();
        try {
            serializer.serialize(big, buf);
            assertThat(buf.readableBytes()).isBetween(big.length, big.length + 64);
            assertThat(serializer.deserialize(buf, byte[].class)).isEqualTo(big);
        } finally {
            buf.release();
        }
    }

    @Test
    void largeStringRoundTrips() {
        String big = "ünïcödé ✓ 😀 ".repeat(300_000);
        assertThat(roundTrip(big)).isEqualTo(big);
    }

    @Test
    void byteBufDeserializationConsumesEveryReadableByteAndLeaksNothing() {
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer();
        try {
            buf.writeInt(0xCAFE); // a frame header the serializer must not touch
            int start = buf.writerIndex();
            serializer.serialize(Fixtures.sampleOrder(), buf);
            int first = buf.writerIndex() - start;
            serializer.serialize("second", buf);
            int second = buf.writerIndex() - start - first;
            assertThat(buf.readInt()).isEqualTo(0xCAFE);

            ByteBuf slice1 = buf.readSlice(first);
            assertThat(serializer.deserialize(slice1, Order.class)).isEqualTo(Fixtures.sampleOrder());
            assertThat(slice1.isReadable()).isFalse();
            ByteBuf slice2 = buf.readSlice(second);
            assertThat(serializer.deserialize(slice2, String.class)).isEqualTo("second");
            assertThat(slice2.isReadable()).isFalse();
            assertThat(buf.refCnt()).isEqualTo(1);
        } finally {
            buf.release();
        }
    }

    @Test
    void heapDirectAndCompositeBuffersDecodeAlike() {
        byte[] bytes = serializer.serialize(Fixtures.sampleOrder());
        ByteBuf heap = Unpooled.wrappedBuffer(new byte[3], bytes).slice(3, bytes.length);
        ByteBuf direct = Unpooled.directBuffer().writeBytes(bytes);
        ByteBuf composite = Unpooled.wrappedBuffer(
                Unpooled.wrappedBuffer(bytes, 0, 10), Unpooled.wrappedBuffer(bytes, 10, bytes.length - 10));
        try {
            for (ByteBuf b : List.of(heap, direct, composite)) {
                assertThat(serializer.deserialize(b, Order.class)).isEqualTo(Fixtures.sampleOrder());
                assertThat(b.isReadable()).isFalse();
            }
        } finally {
            heap.release();
            direct.release();
            composite.release();
        }
    }

    @Test
    void writingAClassOutsideTheAllowlistFailsNamingTheClass() {
        String secret = SecretA.class.getName();
        assertThat(notAllowed(() -> serializer.serialize(new SecretA("x")))).isEqualTo(secret);
        assertThat(notAllowed(() -> serializer.serialize(new ArrayList<>(List.of(new SecretA("x"))))))
                .isEqualTo(secret);
        Drawing hidden = new Drawing();
        hidden.anything = Map.of("k", new SecretA("deep"));
        assertThat(notAllowed(() -> serializer.serialize(hidden))).isEqualTo(secret);
        assertThat(notAllowed(() -> serializer.serialize(new SecretRecord("r"))))
                .isEqualTo(SecretRecord.class.getName());
        assertThat(notAllowed(() -> serializer.serialize(new Object[] {new java.util.Date()})))
                .isEqualTo("java.util.Date");
        Runnable lambda = () -> {};
        assertThat(catchThrowable(() -> serializer.serialize(lambda))).isInstanceOf(SerializationException.class);
    }

    @Test
    void readingBytesThatNameAClassOutsideTheAllowlistFailsNamingTheClass() {
        Serializer wide = provider()
                .create(TypeAllowlist.builder()
                        .allowServiceInterface(Fixtures.OrderService.class)
                        .allow(SecretA.class, SecretRecord.class)
                        .build());
        Drawing d = new Drawing();
        d.anything = new ArrayList<>(List.of(new SecretA("payload")));
        for (Object value : List.of(new SecretA("top"), d, new SecretRecord("r"), new SecretA[] {new SecretA("a")})) {
            byte[] bytes = wide.serialize(value);
            assertThat(wide.deserialize(bytes, Object.class)).isNotNull();
            String expected = value instanceof SecretRecord ? SecretRecord.class.getName() : SecretA.class.getName();
            assertThat(notAllowed(() -> serializer.deserialize(bytes, Object.class)))
                    .as(value.getClass().getSimpleName())
                    .contains(expected);
        }
    }

    @Test
    void refusedClassIsCheckedByNameBeforeAnyLoading() {
        Serializer wide =
                provider().create(TypeAllowlist.builder().allow(SecretA.class).build());
        byte[] bytes = wide.serialize(new SecretA("top"));
        // Rename the class in the bytes to one that does not exist: a reader that loaded before checking
        // would fail with "class not found" instead of naming the refused class.
        byte[] renamed = renameClass(bytes, "SecretA", 'Z');
        assertThat(notAllowed(() -> serializer.deserialize(renamed, Object.class)))
                .isEqualTo(SecretA.class.getName().replace("SecretA", "SecretZ"));
    }

    @Test
    void allowlistsBuiltInDifferentOrdersInteroperate() {
        Serializer client = provider()
                .create(TypeAllowlist.builder()
                        .allow(Square.class, Circle.class)
                        .allowServiceInterface(Fixtures.OrderService.class)
                        .build());
        Serializer server = provider()
                .create(TypeAllowlist.builder()
                        .allow(SecretA.class, java.util.Date.class, QuotaExceededException.class)
                        .allowServiceInterface(Fixtures.OrderService.class)
                        .allow(Circle.class, Square.class)
                        .build());
        Drawing d = new Drawing();
        d.shapes.add(new Circle("c", 1));
        d.main = new Square("s", 2);
        d.anything = new ArrayList<>(List.of(Fixtures.sampleOrder(), Status.SHIPPED));
        assertThat(server.deserialize(client.serialize(d), Drawing.class)).isEqualTo(d);
        assertThat(client.deserialize(server.serialize(d), Drawing.class)).isEqualTo(d);
        OrderNotFoundException e = new OrderNotFoundException("x");
        assertThat(client.deserialize(server.serialize(e), Throwable.class)).hasMessage("x");
    }

    @Test
    @Timeout(60)
    void oneInstanceIsSafeToShareAcrossThreads() throws Exception {
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int seed = t;
                Callable<Integer> job = () -> {
                    start.await();
                    int ok = 0;
                    for (int i = 0; i < 300; i++) {
                        Order o = Fixtures.sampleOrder();
                        o.id = "t" + seed + "-" + i;
                        o.quantity = i;
                        assertThat(roundTrip(o)).isEqualTo(o);
                        assertThat(roundTrip(new Circle("c" + i, i), Fixtures.Shape.class))
                                .isEqualTo(new Circle("c" + i, i));
                        assertThat(roundTrip(new IllegalArgumentException("e" + i), Throwable.class))
                                .hasMessage("e" + i);
                        ok++;
                    }
                    return ok;
                };
                results.add(pool.submit(job));
            }
            start.countDown();
            for (Future<Integer> f : results) {
                assertThat(f.get(60, TimeUnit.SECONDS)).isEqualTo(300);
            }
        } finally {
            pool.shutdownNow();
            assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    @Timeout(30)
    void everyTruncationOfAValidEncodingFailsWithSerializationException() {
        byte[] bytes = serializer.serialize(Fixtures.sampleOrder());
        for (int length = 0; length < bytes.length; length++) {
            byte[] prefix = Arrays.copyOf(bytes, length);
            int cut = length;
            assertThat(catchThrowable(() -> serializer.deserialize(prefix, Order.class)))
                    .as("prefix of %d/%d bytes", cut, bytes.length)
                    .isInstanceOf(SerializationException.class);
        }
    }

    @Test
    @Timeout(60)
    void corruptedBytesFailOnlyWithSerializationException() {
        Drawing d = new Drawing();
        d.shapes.add(new Circle("c", 1));
        d.anything = new ArrayList<>(List.of(Fixtures.sampleOrder(), new int[] {1, 2}, "str", Map.of("k", 1L)));
        byte[] valid = serializer.serialize(d);
        Random random = new Random(42);
        for (int i = 0; i < 3000; i++) {
            byte[] corrupt = valid.clone();
            int flips = 1 + random.nextInt(4);
            for (int f = 0; f < flips; f++) {
                corrupt[random.nextInt(corrupt.length)] = (byte) random.nextInt(256);
            }
            Throwable failure = catchThrowable(() -> serializer.deserialize(corrupt, Object.class));
            if (failure != null) {
                assertThat(failure).as("corruption %d", i).isInstanceOf(SerializationException.class);
            }
        }
        for (int i = 0; i < 1000; i++) {
            byte[] garbage = new byte[random.nextInt(64)];
            random.nextBytes(garbage);
            Throwable failure = catchThrowable(() -> serializer.deserialize(garbage, Object.class));
            if (failure != null) {
                assertThat(failure).as("garbage %d", i).isInstanceOf(SerializationException.class);
            }
        }
    }

    @Test
    void hugeLengthsInCorruptInputFailFastWithoutAllocating() {
        for (Object value : List.of(
                new byte[] {1, 2, 3},
                "some text ✓",
                new ArrayList<>(List.of(1, 2)),
                new String[] {"a"},
                new HashMap<>(Map.of(1, 2)),
                new long[] {1},
                new boolean[] {true},
                new char[] {'c'},
                new short[] {2},
                new int[] {3},
                new float[] {4},
                new double[] {5})) {
            byte[] bytes = serializer.serialize(value);
            for (int at = 0; at < bytes.length; at++) {
                byte[] corrupt = bytes.clone();
                for (int k = at; k < Math.min(at + 5, corrupt.length); k++) {
                    corrupt[k] = (byte) (k == Math.min(at + 5, corrupt.length) - 1 ? 0x07 : 0xFF);
                }
                long before = allocatedBytes();
                Throwable failure = catchThrowable(() -> serializer.deserialize(corrupt, Object.class));
                long allocated = allocatedBytes() - before;
                if (failure != null) {
                    assertThat(failure).isInstanceOf(SerializationException.class);
                }
                assertThat(allocated)
                        .as(
                                "bytes allocated decoding %s corrupted at %d",
                                value.getClass().getSimpleName(), at)
                        .isLessThan(ALLOCATION_BOUND);
            }
        }
    }

    @Test
    void aTinyInputAnnouncingAHugeArrayIsRefusedWithoutAllocatingIt() {
        assertThat(serializer.deserialize(intArrayAnnouncing(1), int[].class)).containsExactly(7);
        int huge = 400_000_000;
        byte[] hostile = intArrayAnnouncing(huge);
        assertThat(hostile.length).isLessThanOrEqualTo(24);
        serializer.deserialize(intArrayAnnouncing(1), int[].class); // warm up: class loading allocates too
        long before = allocatedBytes();
        Throwable failure = catchThrowable(() -> serializer.deserialize(hostile, Object.class));
        long allocated = allocatedBytes() - before;
        assertThat(failure).isInstanceOf(SerializationException.class).hasMessageContaining("Corrupt input");
        assertThat(allocated)
                .as("bytes allocated refusing int[%d] (%d bytes)", huge, 4L * huge)
                .isLessThan(ALLOCATION_BOUND);
    }

    @Test
    void lengthsAboveTheAllowlistsCapAreRefused() {
        Serializer capped =
                provider().create(TypeAllowlist.builder().maxLength(3).build());
        assertThat(capped.deserialize(capped.serialize(new int[] {1, 2, 3}), int[].class))
                .containsExactly(1, 2, 3);
        byte[] four = capped.serialize(new long[] {1, 2, 3, 4});
        assertThatThrownBy(() -> capped.deserialize(four, Object.class)).isInstanceOf(SerializationException.class);
        assertThat(serializer.deserialize(four, long[].class)).containsExactly(1, 2, 3, 4);
    }

    @Test
    void gadgetClassesAreRefusedOnWriteEvenWhenAllowlisted() {
        Serializer careless = provider()
                .create(TypeAllowlist.builder()
                        .allow(ProcessBuilder.class, javax.management.BadAttributeValueExpException.class)
                        .build());
        SerializationException refused =
                catchThrowableOfType(SerializationException.class, () -> careless.serialize(new ProcessBuilder("sh")));
        assertThat(refused.className()).isEqualTo("java.lang.ProcessBuilder");
        assertThat(refused).hasMessageContaining("deny-list").hasMessageContaining("java.lang.ProcessBuilder");
        refused = catchThrowableOfType(
                SerializationException.class,
                () -> careless.serialize(new javax.management.BadAttributeValueExpException("x")));
        assertThat(refused.className()).isEqualTo("javax.management.BadAttributeValueExpException");
        assertThat(refused).hasMessageContaining("deny-list");
    }

    @Test
    void bytesNamingAGadgetClassAreRefusedByNameEvenWhenItsPackageIsAllowlisted() {
        Serializer wide =
                provider().create(TypeAllowlist.builder().allow(SecretA.class).build());
        byte[] bytes = wide.serialize(new SecretA("top"));
        String source = SecretA.class.getName();
        // Same-length names under denied packages; none of these classes exist, so a reader that loaded
        // before checking would fail with "not on the class path" instead.
        for (String gadget : List.of(
                pad("org.apache.commons.collections.functors.", source.length()),
                pad("com.sun.org.apache.xalan.internal.xsltc.trax.", source.length()),
                pad("javax.naming.", source.length()))) {
            byte[] hostile = replaceAscii(bytes, source, gadget);
            SerializationException refused =
                    catchThrowableOfType(SerializationException.class, () -> wide.deserialize(hostile, Object.class));
            assertThat(refused.className()).as(gadget).isEqualTo(gadget);
            assertThat(refused).hasMessageContaining("deny-list").hasMessageContaining(gadget);
        }
    }

    /** {@code prefix} followed by letters up to {@code length} characters, ending in 'A' like SecretA. */
    private static String pad(String prefix, int length) {
        return (prefix + "X".repeat(Math.max(0, length - prefix.length()))).substring(0, length - 1) + "A";
    }

    /** Replaces every ASCII occurrence of {@code from} minus its last byte (Kryo flags it) by {@code to}'s. */
    private static byte[] replaceAscii(byte[] bytes, String from, String to) {
        byte[] needle = from.substring(0, from.length() - 1).getBytes(StandardCharsets.US_ASCII);
        byte[] replacement = to.substring(0, to.length() - 1).getBytes(StandardCharsets.US_ASCII);
        byte[] out = bytes.clone();
        int found = 0;
        for (int i = 0; i + needle.length <= out.length; i++) {
            if (Arrays.equals(out, i, i + needle.length, needle, 0, needle.length)) {
                System.arraycopy(replacement, 0, out, i, replacement.length);
                found++;
            }
        }
        assertThat(found).as("occurrences of %s", from).isPositive();
        return out;
    }

    @Test
    void decodingIntoTheWrongTypeFails() {
        byte[] bytes = serializer.serialize("text");
        assertThatThrownBy(() -> serializer.deserialize(bytes, Integer.class))
                .isInstanceOf(SerializationException.class);
        assertThatThrownBy(() -> serializer.deserialize(serializer.serialize(null), int.class))
                .isInstanceOf(SerializationException.class);
    }

    @Test
    void bytesLeftAfterTheValueAreRejected() {
        byte[] bytes = serializer.serialize("text");
        byte[] longer = Arrays.copyOf(bytes, bytes.length + 3);
        assertThatThrownBy(() -> serializer.deserialize(longer, String.class))
                .isInstanceOf(SerializationException.class);
    }

    private static String notAllowed(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
        Throwable t = catchThrowable(call);
        assertThat(t).isInstanceOf(SerializationException.class).hasMessageContaining("allowlist");
        return ((SerializationException) t).className();
    }

    private static byte[] renameClass(byte[] bytes, String simpleName, char replacementLast) {
        byte[] needle = simpleName.substring(0, simpleName.length() - 1).getBytes(StandardCharsets.US_ASCII);
        byte[] out = bytes.clone();
        int found = 0;
        outer:
        for (int i = 0; i + needle.length < out.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (out[i + j] != needle[j]) {
                    continue outer;
                }
            }
            int last = i + needle.length;
            out[last] = (byte) ((out[last] & 0x80) | replacementLast);
            found++;
        }
        assertThat(found).as("class name occurrences").isPositive();
        return out;
    }
}
