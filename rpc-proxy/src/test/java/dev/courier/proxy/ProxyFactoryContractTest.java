package dev.courier.proxy;

import dev.courier.proxy.ProxyFixtures.Circle;
import dev.courier.proxy.ProxyFixtures.Greeter;
import dev.courier.proxy.ProxyFixtures.Missing;
import dev.courier.proxy.ProxyFixtures.NarrowedRepo;
import dev.courier.proxy.ProxyFixtures.NotAnInterface;
import dev.courier.proxy.ProxyFixtures.Overloaded;
import dev.courier.proxy.ProxyFixtures.PackagePrivate;
import dev.courier.proxy.ProxyFixtures.Primitives;
import dev.courier.proxy.ProxyFixtures.RedeclaresObjectMethods;
import dev.courier.proxy.ProxyFixtures.Repo;
import dev.courier.proxy.ProxyFixtures.Risky;
import dev.courier.proxy.ProxyFixtures.Shape;
import dev.courier.proxy.ProxyFixtures.User;
import dev.courier.proxy.ProxyFixtures.UserRepo;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.description.modifier.Visibility;
import net.bytebuddy.dynamic.loading.ClassLoadingStrategy;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.UndeclaredThrowableException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What every {@link ProxyFactory} must do. Subclass it once per implementation and return the factory
 * from {@link #newFactory()}.
 */
abstract class ProxyFactoryContractTest {

    private static final Invoker MUST_NOT_BE_CALLED = (method, args) -> {
        throw new AssertionError("invoker called for " + method);
    };

    ProxyFactory factory;

    /** A fresh factory under test. */
    protected abstract ProxyFactory newFactory();

    /** The name the factory is installed under. */
    protected abstract String expectedName();

    @BeforeEach
    void createFactory() {
        factory = newFactory();
    }

    // --- discovery ---------------------------------------------------------------------------------

    @Test
    void factoryIsInstalledUnderItsName() {
        assertThat(factory.name()).isEqualTo(expectedName());
        assertThat(ProxyFactories.load().byName(expectedName())).isInstanceOf(factory.getClass());
    }

    // --- calls reach the invoker -------------------------------------------------------------------

    @Test
    void callReachesInvokerWithTheInterfaceMethodAndArguments() throws Exception {
        RecordingInvoker invoker = RecordingInvoker.returning("hello Ada");
        Greeter greeter = factory.createProxy(Greeter.class, invoker);

        assertThat(greeter.greet("Ada")).isEqualTo("hello Ada");

        RecordingInvoker.Call call = invoker.onlyCall();
        assertThat(call.method()).isEqualTo(Greeter.class.getMethod("greet", String.class));
        assertThat(call.args()).containsExactly("Ada");
    }

    @Test
    void noArgumentMethodReceivesAnEmptyArrayNotNull() {
        RecordingInvoker invoker = RecordingInvoker.returning(List.of());
        UserRepo repo = factory.createProxy(UserRepo.class, invoker);

        assertThat(repo.findAll()).isEmpty();

        assertThat(invoker.onlyCall().args()).isNotNull().isEmpty();
    }

    @Test
    void primitiveArgumentsArriveBoxedAndPrimitiveResultsAreUnboxed() {
        RecordingInvoker invoker = new RecordingInvoker((m, a) -> {
            switch (m.getName()) {
                case "add":
                    return (Integer) a[0] + (Integer) a[1];
                case "scale":
                    return (long) ((Long) a[0] * (Double) a[1]);
                case "flip":
                    return !(Boolean) a[0];
                case "next":
                    return (char) ((Character) a[0] + 1);
                case "narrow":
                    return (byte) ((Short) a[0] + (Float) a[1]);
                default:
                    throw new AssertionError(m);
            }
        });
        Primitives p = factory.createProxy(Primitives.class, invoker);

        assertThat(p.add(2, 3)).isEqualTo(5);
        assertThat(p.scale(Long.MAX_VALUE / 4, 2.0)).isEqualTo((long) (Long.MAX_VALUE / 4 * 2.0));
        assertThat(p.flip(true)).isFalse();
        assertThat(p.next('a')).isEqualTo('b');
        assertThat(p.narrow((short) 3, 4.0f)).isEqualTo((byte) 7);
        assertThat(invoker.calls().get(2).args()).containsExactly(Boolean.TRUE);
    }

    @Test
    void voidMethodReachesTheInvokerAndIgnoresItsResult() {
        RecordingInvoker invoker = RecordingInvoker.returning("ignored");
        Primitives p = factory.createProxy(Primitives.class, invoker);

        p.fire(7);

        assertThat(invoker.onlyCall().method().getName()).isEqualTo("fire");
        assertThat(invoker.onlyCall().args()).containsExactly(7);
    }

    @Test
    void nullResultForReferenceReturnIsReturnedAsNull() {
        Greeter greeter = factory.createProxy(Greeter.class, RecordingInvoker.returning(null));

        assertThat(greeter.greet("Ada")).isNull();
    }

    // --- Object methods ----------------------------------------------------------------------------

    @Test
    void toStringNamesTheInterfaceAndInvokerWithoutCallingTheInvoker() {
        Greeter greeter = factory.createProxy(Greeter.class, MUST_NOT_BE_CALLED);

        assertThat(greeter.toString())
                .startsWith("Proxy[" + Greeter.class.getName() + "]@"
                        + Integer.toHexString(System.identityHashCode(greeter)))
                .endsWith(MUST_NOT_BE_CALLED.toString());
    }

    @Test
    void equalsIsIdentityWithoutCallingTheInvoker() {
        Greeter a = factory.createProxy(Greeter.class, MUST_NOT_BE_CALLED);
        Greeter b = factory.createProxy(Greeter.class, MUST_NOT_BE_CALLED);

        assertThat(a.equals(a)).isTrue();
        assertThat(a.equals(b)).isFalse();
        assertThat(a.equals(null)).isFalse();
        assertThat(a.equals("a string")).isFalse();
    }

    @Test
    void hashCodeIsTheIdentityHashWithoutCallingTheInvoker() {
        Greeter greeter = factory.createProxy(Greeter.class, MUST_NOT_BE_CALLED);

        assertThat(greeter.hashCode()).isEqualTo(System.identityHashCode(greeter));
    }

    @Test
    void objectMethodsRedeclaredByTheInterfaceAreStillAnsweredLocally() {
        RedeclaresObjectMethods proxy = factory.createProxy(RedeclaresObjectMethods.class, MUST_NOT_BE_CALLED);

        assertThat(proxy.toString()).startsWith("Proxy[" + RedeclaresObjectMethods.class.getName() + "]@");
        assertThat(proxy.equals(proxy)).isTrue();
        assertThat(proxy.hashCode()).isEqualTo(System.identityHashCode(proxy));
    }

    // --- default methods ---------------------------------------------------------------------------

    @Test
    void defaultMethodRunsLocallyAndItsAbstractCallsGoToTheInvoker() throws Exception {
        RecordingInvoker invoker = new RecordingInvoker((m, a) -> "hi " + a[0]);
        Greeter greeter = factory.createProxy(Greeter.class, invoker);

        assertThat(greeter.greetTwice("Ada")).isEqualTo("hi Ada hi Ada");

        Method greet = Greeter.class.getMethod("greet", String.class);
        assertThat(invoker.calls()).extracting(RecordingInvoker.Call::method).containsExactly(greet, greet);
    }

    @Test
    void defaultMethodWithPrimitiveArgumentsAndResultRunsLocally() {
        RecordingInvoker invoker = new RecordingInvoker((m, a) -> (Integer) a[0] + (Integer) a[1]);
        Primitives p = factory.createProxy(Primitives.class, invoker);

        assertThat(p.triple(5)).isEqualTo(15);
        assertThat(invoker.calls()).extracting(c -> c.method().getName()).containsExactly("add", "add");
    }

    @Test
    void defaultMethodOfAJdkInterfaceRunsLocally() {
        RecordingInvoker invoker = new RecordingInvoker((m, a) -> a[0] + "!");
        @SuppressWarnings("unchecked")
        Function<String, String> shout = factory.createProxy(Function.class, invoker);

        assertThat(shout.andThen(String::toUpperCase).apply("hey")).isEqualTo("HEY!");
        assertThat(invoker.onlyCall().method().getName()).isEqualTo("apply");
    }

    // --- dispatch ----------------------------------------------------------------------------------

    @Test
    void overloadedMethodsArriveAsDistinctMethods() throws Exception {
        RecordingInvoker invoker = new RecordingInvoker((m, a) -> m.toGenericString());
        Overloaded o = factory.createProxy(Overloaded.class, invoker);

        o.f(1);
        o.f(1L);
        o.f(Integer.valueOf(1));
        o.f("s");
        o.f(1, 2);

        assertThat(invoker.calls())
                .extracting(RecordingInvoker.Call::method)
                .containsExactly(
                        Overloaded.class.getMethod("f", int.class),
                        Overloaded.class.getMethod("f", long.class),
                        Overloaded.class.getMethod("f", Integer.class),
                        Overloaded.class.getMethod("f", String.class),
                        Overloaded.class.getMethod("f", int.class, int.class));
        assertThat(invoker.calls()).extracting(RecordingInvoker.Call::method).doesNotHaveDuplicates();
    }

    @Test
    void varargsArriveAsOneArrayArgument() throws Exception {
        RecordingInvoker invoker = RecordingInvoker.returning("joined");
        Overloaded o = factory.createProxy(Overloaded.class, invoker);

        o.f("a", "b", "c");

        RecordingInvoker.Call call = invoker.onlyCall();
        assertThat(call.method()).isEqualTo(Overloaded.class.getMethod("f", String[].class));
        assertThat(call.args()).hasSize(1);
        assertThat((String[]) call.args()[0]).containsExactly("a", "b", "c");
    }

    @Test
    void genericInterfaceMethodArrivesAsDeclaredByTheGenericInterface() throws Exception {
        RecordingInvoker invoker = RecordingInvoker.returning(new User("ada"));
        UserRepo repo = factory.createProxy(UserRepo.class, invoker);

        User user = repo.get("1");
        repo.put("2", user);

        assertThat(user).isEqualTo(new User("ada"));
        assertThat(invoker.calls())
                .extracting(RecordingInvoker.Call::method)
                .containsExactly(
                        Repo.class.getMethod("get", String.class),
                        Repo.class.getMethod("put", String.class, Object.class));
        assertThat(invoker.calls()).extracting(c -> c.method().isBridge()).containsOnly(false);
    }

    @Test
    void genericMethodWithItsOwnTypeParameterIsCalledThrough() throws Exception {
        RecordingInvoker invoker = RecordingInvoker.returning(42);
        UserRepo repo = factory.createProxy(UserRepo.class, invoker);

        Integer value = repo.map("1", Integer.class);

        assertThat(value).isEqualTo(42);
        assertThat(invoker.onlyCall().method()).isEqualTo(Repo.class.getMethod("map", String.class, Class.class));
        assertThat(invoker.onlyCall().args()).containsExactly("1", Integer.class);
    }

    @Test
    void narrowedGenericMethodArrivesAsTheNarrowingDeclarationThroughEitherType() throws Exception {
        RecordingInvoker invoker = RecordingInvoker.returning(new User("ada"));
        NarrowedRepo narrowed = factory.createProxy(NarrowedRepo.class, invoker);
        Repo<User> general = narrowed;

        assertThat(narrowed.get("1")).isEqualTo(new User("ada"));
        assertThat(general.get("2")).isEqualTo(new User("ada"));

        Method declared = NarrowedRepo.class.getMethod("get", String.class);
        assertThat(declared.getReturnType()).isEqualTo(User.class);
        assertThat(invoker.calls()).extracting(RecordingInvoker.Call::method).containsExactly(declared, declared);
        assertThat(invoker.calls().get(0).method())
                .isSameAs(invoker.calls().get(1).method());
        assertThat(invoker.calls().get(0).method().isBridge()).isFalse();
    }

    @Test
    void inheritedInterfaceMethodsReachTheInvoker() throws Exception {
        RecordingInvoker invoker = new RecordingInvoker((m, a) -> m.getName().equals("findAll") ? List.of() : null);
        UserRepo repo = factory.createProxy(UserRepo.class, invoker);

        repo.findAll();
        repo.get("x");

        assertThat(invoker.calls())
                .extracting(c -> c.method().getDeclaringClass().getName())
                .containsExactly(UserRepo.class.getName(), Repo.class.getName());
    }

    @Test
    void invokerReceivesTheSameMethodInstanceOnEveryCallOfEveryProxy() {
        RecordingInvoker invoker = RecordingInvoker.returning("x");
        Greeter first = factory.createProxy(Greeter.class, invoker);
        Greeter second = factory.createProxy(Greeter.class, invoker);

        first.greet("a");
        first.greet("b");
        second.greet("c");

        List<RecordingInvoker.Call> calls = invoker.calls();
        assertThat(calls.get(1).method()).isSameAs(calls.get(0).method());
        assertThat(calls.get(2).method()).isSameAs(calls.get(0).method());
    }

    // --- exceptions --------------------------------------------------------------------------------

    @Test
    void declaredCheckedExceptionPropagatesAsIs() {
        IOException failure = new IOException("disk gone");
        Risky risky = factory.createProxy(Risky.class, RecordingInvoker.throwing(failure));

        assertThatThrownBy(risky::declared).isSameAs(failure);
    }

    @Test
    void subclassOfDeclaredCheckedExceptionPropagatesAsIs() {
        Missing failure = new Missing("no such file");
        Risky risky = factory.createProxy(Risky.class, RecordingInvoker.throwing(failure));

        assertThatThrownBy(risky::declaresSuperclass).isSameAs(failure);
    }

    @Test
    void undeclaredCheckedExceptionIsWrappedInUndeclaredThrowableException() {
        Exception failure = new Exception("surprise");
        Risky risky = factory.createProxy(Risky.class, RecordingInvoker.throwing(failure));

        assertThatThrownBy(risky::undeclared)
                .isInstanceOf(UndeclaredThrowableException.class)
                .hasCause(failure);
        assertThatThrownBy(risky::declared)
                .isInstanceOf(UndeclaredThrowableException.class)
                .hasCause(failure);
    }

    @Test
    void runtimeExceptionPropagatesAsIs() {
        IllegalStateException failure = new IllegalStateException("broken");
        Risky risky = factory.createProxy(Risky.class, RecordingInvoker.throwing(failure));

        assertThatThrownBy(risky::undeclared).isSameAs(failure);
    }

    @Test
    void errorPropagatesAsIs() {
        StackOverflowError failure = new StackOverflowError("deep");
        Risky risky = factory.createProxy(Risky.class, RecordingInvoker.throwing(failure));

        assertThatThrownBy(risky::undeclared).isSameAs(failure);
    }

    @Test
    void nullResultForPrimitiveReturnFailsNamingTheMethod() {
        Primitives p = factory.createProxy(Primitives.class, RecordingInvoker.returning(null));

        assertThatThrownBy(() -> p.add(1, 2))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining(Primitives.class.getName() + ".add(int,int)")
                .hasMessageContaining("int");
    }

    @Test
    void resultOfTheWrongTypeFailsNamingTheMethod() {
        Primitives p = factory.createProxy(Primitives.class, RecordingInvoker.returning("five"));

        assertThatThrownBy(() -> p.add(1, 2))
                .isInstanceOf(ClassCastException.class)
                .hasMessageContaining(Primitives.class.getName() + ".add(int,int)")
                .hasMessageContaining("java.lang.String");
    }

    // --- classes -----------------------------------------------------------------------------------

    @Test
    void proxiesOfOneInterfaceShareOneClass() {
        Greeter a = factory.createProxy(Greeter.class, RecordingInvoker.returning("a"));
        Greeter b = factory.createProxy(Greeter.class, RecordingInvoker.returning("b"));

        assertThat(a.getClass()).isSameAs(b.getClass());
        assertThat(a.greet("x")).isEqualTo("a");
        assertThat(b.greet("x")).isEqualTo("b");
    }

    @Test
    void packagePrivateInterfaceWorksIncludingItsDefaultMethods() {
        RecordingInvoker invoker = new RecordingInvoker((m, a) -> a[0] + "!");
        PackagePrivate proxy = factory.createProxy(PackagePrivate.class, invoker);

        assertThat(proxy.whisper("psst")).isEqualTo("psst!");
        assertThat(proxy.whisperTwice("hm")).isEqualTo("hm!hm!");
        assertThat(invoker.calls()).hasSize(3);
    }

    @Test
    void interfaceFromAnIsolatedClassLoaderWorks() throws Exception {
        Class<?> echo = new ByteBuddy()
                .makeInterface()
                .name("dev.courier.isolated.Echo")
                .defineMethod("echo", String.class, Visibility.PUBLIC)
                .withParameters(String.class)
                .withoutCode()
                .make()
                .load(null, ClassLoadingStrategy.Default.WRAPPER)
                .getLoaded();
        assertThat(echo.getClassLoader()).isNotNull();
        assertThatThrownBy(() -> Class.forName(Invoker.class.getName(), false, echo.getClassLoader()))
                .isInstanceOf(ClassNotFoundException.class);

        RecordingInvoker invoker = new RecordingInvoker((m, a) -> "echo " + a[0]);
        Object proxy = factory.createProxy(echo, invoker);

        Method method = echo.getMethod("echo", String.class);
        assertThat(method.invoke(proxy, "hi")).isEqualTo("echo hi");
        assertThat(invoker.onlyCall().method()).isEqualTo(method);
    }

    @Test
    void jdkInterfaceFromTheBootstrapLoaderWorks() {
        @SuppressWarnings("unchecked")
        Supplier<String> supplier = factory.createProxy(Supplier.class, RecordingInvoker.returning("supplied"));

        assertThat(supplier.get()).isEqualTo("supplied");
    }

    // --- threads -----------------------------------------------------------------------------------

    @Test
    void proxiesCreatedConcurrentlyShareOneClass() throws Exception {
        int threads = 8;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Class<?>>> classes = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Callable<Class<?>> creator = () -> {
                    start.await();
                    return factory.createProxy(Overloaded.class, MUST_NOT_BE_CALLED)
                            .getClass();
                };
                classes.add(pool.submit(creator));
            }
            start.countDown();
            Class<?> first = classes.get(0).get(1, TimeUnit.MINUTES);
            for (Future<Class<?>> c : classes) {
                assertThat(c.get(1, TimeUnit.MINUTES)).isSameAs(first);
            }
        } finally {
            pool.shutdownNow();
            assertThat(pool.awaitTermination(1, TimeUnit.MINUTES)).isTrue();
        }
    }

    @Test
    void concurrentCallsFromManyThreadsAllReachTheInvokerWithTheirOwnArguments() throws Exception {
        int threads = 8;
        int callsPerThread = 5_000;
        AtomicLong invocations = new AtomicLong();
        Primitives p = factory.createProxy(Primitives.class, (m, a) -> {
            invocations.incrementAndGet();
            return (Integer) a[0] + (Integer) a[1];
        });
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                Callable<Integer> caller = () -> {
                    start.await();
                    int wrong = 0;
                    for (int i = 0; i < callsPerThread; i++) {
                        if (p.add(thread, i) != thread + i) {
                            wrong++;
                        }
                    }
                    return wrong;
                };
                results.add(pool.submit(caller));
            }
            start.countDown();
            for (Future<Integer> result : results) {
                assertThat(result.get(1, TimeUnit.MINUTES)).isZero();
            }
        } finally {
            pool.shutdownNow();
            assertThat(pool.awaitTermination(1, TimeUnit.MINUTES)).isTrue();
        }
        assertThat(invocations.get()).isEqualTo((long) threads * callsPerThread);
    }

    // --- rejected arguments ------------------------------------------------------------------------

    @Test
    void classIsRejectedWithIllegalArgumentException() {
        assertThatThrownBy(() -> factory.createProxy(NotAnInterface.class, MUST_NOT_BE_CALLED))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(NotAnInterface.class.getName());
        assertThatThrownBy(() -> factory.createProxy(String.class, MUST_NOT_BE_CALLED))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> factory.createProxy(int.class, MUST_NOT_BE_CALLED))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void sealedInterfaceIsRejectedWithIllegalArgumentException() {
        assertThat(new Circle().area()).isPositive();
        assertThatThrownBy(() -> factory.createProxy(Shape.class, MUST_NOT_BE_CALLED))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sealed");
    }

    @Test
    void nullInterfaceOrInvokerIsRejected() {
        assertThatThrownBy(() -> factory.createProxy(null, MUST_NOT_BE_CALLED))
                .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> factory.createProxy(Greeter.class, null)).isInstanceOf(NullPointerException.class);
    }
}
