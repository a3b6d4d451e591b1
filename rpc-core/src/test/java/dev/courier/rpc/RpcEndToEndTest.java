package dev.courier.rpc;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RpcEndToEndTest {

    private final List<AutoCloseable> resources = new ArrayList<>();
    private final EchoServiceImpl impl = new EchoServiceImpl();

    @AfterEach
    void closeAll() throws Exception {
        impl.release.countDown();
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }

    private <T extends AutoCloseable> T owned(T resource) {
        resources.add(resource);
        return resource;
    }

    private RpcServer startServer(RpcServer.Builder builder) {
        return owned(builder.host("127.0.0.1").export(EchoService.class, impl).start());
    }

    private RpcServer startServer() {
        return startServer(RpcServer.builder());
    }

    private RpcClient client() {
        return owned(RpcClient.builder().build());
    }

    private EchoService echo(RpcClient client, RpcServer server, Duration timeout) {
        return client.reference(EchoService.class)
                .address("127.0.0.1", server.port())
                .timeout(timeout)
                .build();
    }

    @ParameterizedTest(name = "{0} serializer, {1} proxy")
    @CsvSource({"kryo, bytebuddy", "kryo, jdk", "protostuff, bytebuddy", "protostuff, jdk"})
    void callsRoundTripWithEverySerializerAndProxy(String serializer, String proxy) throws Exception {
        RpcServer server = startServer(RpcServer.builder().serializer(serializer));
        EchoService echo = client().reference(EchoService.class)
                .address("127.0.0.1", server.port())
                .serializer(serializer)
                .proxy(proxy)
                .build();

        assertThat(echo.echo("hello")).isEqualTo("hello");
        assertThat(echo.add(2, 40)).isEqualTo(42);
        assertThat(echo.repeat("a", 3)).containsExactly("a", "a", "a");
        assertThat(echo.echoBytes(new byte[] {1, 2, 3})).containsExactly(1, 2, 3);
        assertThat(echo.returnsNull()).isNull();
        echo.nothing();
        assertThat(impl.nothingCalls).hasValue(1);
        assertThat(echo.echoAsync("async").get(3, TimeUnit.SECONDS)).isEqualTo("async");
        assertThat(echo.echoLater("later", 20).get(3, TimeUnit.SECONDS)).isEqualTo("later");
        assertThat(echo.toString()).contains("EchoService");
    }

    @Test
    void theServerChoosesTheSerializerAndRefusesARequestInAnother() {
        RpcServer server = startServer(RpcServer.builder().serializer("kryo"));
        EchoService protostuff = client().reference(EchoService.class)
                .address("127.0.0.1", server.port())
                .serializer("protostuff")
                .build();

        assertThatThrownBy(() -> protostuff.echo("hello"))
                .isInstanceOf(RpcProtocolException.class)
                .hasMessageContaining("takes requests in serializer 'kryo'");
        assertThat(echo(client(), server, Duration.ofSeconds(3)).echo("hello")).isEqualTo("hello");
        assertThatThrownBy(() -> RpcServer.builder().serializer("java").start())
                .isInstanceOf(CourierConfigurationException.class)
                .hasMessageContaining("Unknown serializer 'java'");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"GZIP", "LZ4"})
    void compressedRequestsAndResponsesRoundTrip(dev.courier.serialization.Compression codec) {
        RpcServer server = startServer(
                RpcServer.builder().compression(new dev.courier.serialization.CompressionPolicy(codec, 1024)));
        // 1.3 MB each way under paranoid leak detection on a loaded host can outlast the 3 s default:
        // the test is about what arrives, so the call gets 30 s
        EchoService echo = client().reference(EchoService.class)
                .address("127.0.0.1", server.port())
                .compression(codec, 1024)
                .timeout(Duration.ofSeconds(30))
                .build();

        String big = "compressible ".repeat(100_000);
        assertThat(echo.echo(big)).isEqualTo(big);
        assertThat(echo.echo("small")).isEqualTo("small");
    }

    @Test
    void serviceExceptionArrivesAsRemoteExceptionWithClassMessageAndStack() {
        RpcServer server = startServer();
        EchoService echo = echo(client(), server, Duration.ofSeconds(3));

        assertThatThrownBy(() -> echo.fail("no such order")).isInstanceOfSatisfying(RemoteException.class, e -> {
            assertThat(e.remoteClassName()).isEqualTo(IllegalStateException.class.getName());
            assertThat(e.remoteMessage()).isEqualTo("no such order");
            assertThat(e.remoteStackTrace())
                    .anySatisfy(frame -> assertThat(frame.getClassName()).isEqualTo(EchoServiceImpl.class.getName()));
        });
        // The connection survives a service exception.
        assertThat(echo.echo("still here")).isEqualTo("still here");
    }

    @Test
    void callWhoseServerSleepsPastTheDeadlineTimesOutInTime() {
        RpcServer server = startServer();
        EchoService echo = echo(client(), server, Duration.ofMillis(300));

        long start = System.nanoTime();
        assertThatThrownBy(() -> echo.sleepThenEcho(10_000, "late")).isInstanceOf(RpcTimeoutException.class);
        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        // never before the deadline (one 10 ms timer tick of slack); and the caller was released by the
        // deadline, not by the provider's answer 10 s later (how soon after is for the benchmarks to report)
        assertThat(elapsedMillis).isGreaterThanOrEqualTo(290L).isLessThan(10_000L);
    }

    @Test
    void aReferenceWithoutATimeoutHasTheDefaultThreeSecondDeadline() {
        RpcServer server = startServer();
        EchoService echo = client().reference(EchoService.class)
                .address("127.0.0.1", server.port())
                .build();

        long start = System.nanoTime();
        assertThatThrownBy(() -> echo.sleepThenEcho(30_000, "late")).isInstanceOf(RpcTimeoutException.class);
        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        // at the 3 s deadline (less one 10 ms timer tick), not at the provider's answer 30 s later
        assertThat(elapsedMillis).isGreaterThanOrEqualTo(2_990L).isLessThan(30_000L);
    }

    @Test
    void asyncCallFailsWithTimeoutAtItsDeadline() {
        RpcServer server = startServer();
        EchoService echo = echo(client(), server, Duration.ofMillis(200));

        // the provider answers after 5 s: a timeout can only come from the 200 ms deadline
        CompletableFuture<String> late = echo.echoLater("late", 5_000);
        assertThat(late)
                .failsWithin(Duration.ofSeconds(10))
                .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .withCauseInstanceOf(RpcTimeoutException.class);
    }

    @Test
    void killingTheServerMidCallFailsPendingCallsPromptly() {
        RpcServer server = startServer(RpcServer.builder().drainTimeout(Duration.ZERO));
        EchoService echo = echo(client(), server, Duration.ofSeconds(30));
        assertThat(echo.echo("warm")).isEqualTo("warm");

        List<CompletableFuture<String>> pending = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            pending.add(echo.echoLater("never", 60_000));
        }
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> server.inFlightCalls() == 10);
        server.close();

        // a ConnectionException, not the RpcTimeoutException of the 30 s deadline: they failed with the connection
        for (CompletableFuture<String> call : pending) {
            assertThat(call)
                    .failsWithin(Duration.ofSeconds(20))
                    .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                    .withCauseInstanceOf(ConnectionException.class);
        }
    }

    /** Blocking calls made from a thread of their own (the common pool may have one thread on 2 cores). */
    private <V> CompletableFuture<V> onOwnThread(java.util.function.Supplier<V> task) {
        java.util.concurrent.ExecutorService thread = java.util.concurrent.Executors.newSingleThreadExecutor();
        owned(thread::shutdownNow);
        return CompletableFuture.supplyAsync(task, thread);
    }

    private static boolean refusesConnections(int port) {
        try (java.net.Socket s = new java.net.Socket()) {
            s.connect(new java.net.InetSocketAddress("127.0.0.1", port));
            return false;
        } catch (java.io.IOException e) {
            return true;
        }
    }

    @Test
    void closeLetsACallInFlightFinishAndSucceed() throws Exception {
        RpcServer server = startServer(RpcServer.builder().drainTimeout(Duration.ofSeconds(30)));
        EchoService echo = echo(client(), server, Duration.ofSeconds(60));
        CompletableFuture<String> inFlight = onOwnThread(() -> echo.sleepThenEcho(60_000, "finished"));
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> server.inFlightCalls() == 1);

        CompletableFuture<String> closing = onOwnThread(() -> {
            server.close();
            return "closed";
        });
        // close() stopped accepting: it is draining now, with the call still running
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> refusesConnections(server.port()));
        assertThat(closing).as("close() waits for the call in flight").isNotDone();
        assertThat(inFlight).isNotDone();

        impl.release.countDown();
        assertThat(inFlight.get(10, TimeUnit.SECONDS)).isEqualTo("finished");
        assertThat(closing.get(10, TimeUnit.SECONDS)).isEqualTo("closed");
        assertThat(impl.sleepCalls).hasValue(1);
    }

    @Test
    void closeWaitsForACallInFlightNoLongerThanTheDrainTimeout() {
        RpcServer server = startServer(RpcServer.builder().drainTimeout(Duration.ofMillis(500)));
        EchoService echo = echo(client(), server, Duration.ofSeconds(120));
        CompletableFuture<String> stuck = onOwnThread(() -> echo.sleepThenEcho(120_000, "never"));
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> server.inFlightCalls() == 1);

        long start = System.nanoTime();
        server.close();
        long closeMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        // It waited the drain timeout, then gave up on the call instead of waiting its 120 s.
        assertThat(closeMillis).isGreaterThanOrEqualTo(500L).isLessThan(60_000L);
        assertThat(stuck)
                .failsWithin(Duration.ofSeconds(10))
                .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .withCauseInstanceOf(ConnectionException.class);
    }

    @Test
    void thousandConcurrentAsyncCallsOverOneConnectionAllCompleteCorrectly() throws Exception {
        RpcServer server = startServer();
        EchoService echo = echo(client(), server, Duration.ofSeconds(20));

        List<CompletableFuture<String>> calls = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            calls.add(i % 2 == 0 ? echo.echoAsync("call-" + i) : echo.echoLater("call-" + i, 1));
        }
        CompletableFuture.allOf(calls.toArray(new CompletableFuture<?>[0])).get(30, TimeUnit.SECONDS);
        for (int i = 0; i < 1000; i++) {
            assertThat(calls.get(i).get()).isEqualTo("call-" + i);
        }
    }

    @Test
    void sixteenMebibyteArgumentRoundTrips() {
        int limit = 32 * 1024 * 1024;
        RpcServer server = startServer(RpcServer.builder().maxBodyLength(limit));
        RpcClient client = owned(RpcClient.builder().maxBodyLength(limit).build());
        EchoService echo = echo(client, server, Duration.ofSeconds(30));

        byte[] payload = new byte[16 * 1024 * 1024];
        new Random(7).nextBytes(payload);
        assertThat(echo.echoBytes(payload)).isEqualTo(payload);
    }

    @Test
    void frameOverTheMaximumIsRefusedWithoutKillingTheServer() {
        RpcServer server = startServer(RpcServer.builder().maxBodyLength(64 * 1024));
        EchoService echo = echo(client(), server, Duration.ofSeconds(5));

        assertThatThrownBy(() -> echo.echoBytes(new byte[256 * 1024]))
                .isInstanceOf(RpcProtocolException.class)
                .hasMessageContaining("FRAME_TOO_LARGE");
        assertThat(echo.echo("after")).isEqualTo("after");
        assertThat(echo.echoBytes(new byte[1024])).hasSize(1024);
    }

    /** A class the provider has never heard of. */
    public record Secret(String command) {}

    @Test
    void unregisteredClassIsRefusedWithAClearError() {
        RpcServer server = startServer();
        EchoService echo = client().reference(EchoService.class)
                .address("127.0.0.1", server.port())
                .allow(Secret.class)
                .build();

        assertThatThrownBy(() -> echo.echoObject(new Secret("rm -rf /")))
                .isInstanceOf(RpcProtocolException.class)
                .hasMessageContaining(Secret.class.getName());
        assertThat(echo.echo("fine")).isEqualTo("fine");
    }

    @Test
    void classOutsideTheClientAllowlistIsRefusedBeforeSending() {
        // The provider would take and run it: only the client's own check can stop the call.
        RpcServer server = startServer(RpcServer.builder().allow(Secret.class));
        EchoService echo = echo(client(), server, Duration.ofSeconds(3));

        assertThatThrownBy(() -> echo.echoObject(new Secret("x")))
                .isInstanceOf(RpcProtocolException.class)
                .hasMessageContaining(Secret.class.getName());
        assertThat(impl.echoObjectCalls).hasValue(0);
        // the same method with an allowed argument does run: the counter counts what the test calls
        assertThat(echo.echoObject("allowed")).isEqualTo("allowed");
        assertThat(impl.echoObjectCalls).hasValue(1);
    }

    public interface Unexported {
        String hello();
    }

    @Test
    void unknownServiceFailsWithServiceNotFound() {
        RpcServer server = startServer();
        Unexported ref = client().reference(Unexported.class)
                .address("127.0.0.1", server.port())
                .build();

        assertThatThrownBy(ref::hello)
                .isInstanceOf(ServiceNotFoundException.class)
                .hasMessageContaining(Unexported.class.getName());
    }

    @Test
    void wrongVersionFailsWithServiceNotFound() {
        RpcServer server = startServer();
        EchoService echo = client().reference(EchoService.class)
                .address("127.0.0.1", server.port())
                .version("2.0")
                .build();

        assertThatThrownBy(() -> echo.echo("x"))
                .isInstanceOf(ServiceNotFoundException.class)
                .hasMessageContaining("2.0");
    }

    @Test
    void fullBusinessPoolAnswersServerBusyAtOnce() {
        RpcServer server = startServer(RpcServer.builder().businessThreads(1));
        EchoService echo = echo(client(), server, Duration.ofSeconds(10));

        CompletableFuture<String> occupying = CompletableFuture.supplyAsync(() -> echo.sleepThenEcho(10_000, "busy"));
        org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> assertThat(impl.sleepCalls).hasValue(1));

        assertThatThrownBy(() -> echo.echo("refused")).isInstanceOf(ServerBusyException.class);
        // "at once": refused while the only thread is still taken, not once it came free
        assertThat(occupying).isNotDone();
        assertThat(impl.sleepCalls).hasValue(1);

        impl.release.countDown();
        assertThat(occupying.join()).isEqualTo("busy");
    }

    @Test
    void expiredRequestIsDroppedBeforeExecution() {
        RpcServer server = startServer(RpcServer.builder().businessThreads(1).queueCapacity(10));
        RpcClient client = client();
        EchoService patient = echo(client, server, Duration.ofSeconds(10));
        EchoService hasty = echo(client, server, Duration.ofMillis(200));

        CompletableFuture<String> occupying = CompletableFuture.supplyAsync(() -> patient.sleepThenEcho(800, "first"));
        org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> assertThat(impl.sleepCalls).hasValue(1));

        // Queued behind the first call; by the time a thread is free its deadline has passed.
        assertThatThrownBy(() -> hasty.sleepThenEcho(0, "second")).isInstanceOf(RpcTimeoutException.class);
        assertThat(occupying.join()).isEqualTo("first");
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> server.inFlightCalls() == 0);
        assertThat(impl.sleepCalls).hasValue(1);
    }

    @Test
    void nonBlockingServiceRunsOnTheIoThread() {
        RpcServer server = owned(RpcServer.builder()
                .host("127.0.0.1")
                .exportNonBlocking(EchoService.class, new EchoServiceImpl() {
                    @Override
                    public String echo(String s) {
                        return Thread.currentThread().getName();
                    }
                })
                .start());
        EchoService echo = echo(client(), server, Duration.ofSeconds(3));

        assertThat(echo.echo("x")).startsWith("courier-server-io");
    }

    @Test
    void closingTheClientFailsItsPendingCalls() {
        RpcServer server = startServer();
        RpcClient client = RpcClient.builder().build();
        EchoService echo = echo(client, server, Duration.ofSeconds(30));
        CompletableFuture<String> pending = echo.echoLater("x", 60_000);

        client.close();
        client.close();

        assertThat(pending)
                .failsWithin(Duration.ofSeconds(20))
                .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .withCauseInstanceOf(ConnectionException.class);
    }

    @Test
    void callsAreSpreadOverTheConfiguredNumberOfConnections() {
        RpcServer server = startServer();
        RpcClient client = owned(RpcClient.builder().connectionsPerAddress(3).build());
        EchoService echo = echo(client, server, Duration.ofSeconds(3));

        for (int i = 0; i < 12; i++) {
            assertThat(echo.echo("call " + i)).isEqualTo("call " + i);
        }
        assertThat(server.connectionCount()).isEqualTo(3);
    }

    @Test
    void oneConnectionByDefaultServesEveryReferenceToAnAddress() {
        RpcServer server = startServer();
        RpcClient client = client();
        EchoService first = echo(client, server, Duration.ofSeconds(3));
        EchoService second = echo(client, server, Duration.ofSeconds(3));

        assertThat(first.echo("a") + second.echo("b")).isEqualTo("ab");
        assertThat(server.connectionCount()).isEqualTo(1);
    }

    @Test
    void connectionRefusedFailsWithConnectionException() throws Exception {
        // A socket bound but not listening: the port stays ours for the whole test and refuses connections.
        try (java.net.Socket bound = new java.net.Socket()) {
            bound.bind(new java.net.InetSocketAddress("127.0.0.1", 0));
            EchoService echo = client().reference(EchoService.class)
                    .address("127.0.0.1", bound.getLocalPort())
                    .build();

            assertThatThrownBy(() -> echo.echo("x")).isInstanceOf(ConnectionException.class);
            // Within the backoff the next call fails at once, without another attempt.
            assertThatThrownBy(() -> echo.echo("x"))
                    .isInstanceOf(ConnectionException.class)
                    .hasMessageContaining("failed attempts");
        }
    }

    @Test
    void clientReconnectsAfterTheServerComesBack() {
        RpcServer first = RpcServer.builder()
                .host("127.0.0.1")
                .export(EchoService.class, impl)
                .start();
        int port = first.port();
        EchoService echo =
                client().reference(EchoService.class).address("127.0.0.1", port).build();
        assertThat(echo.echo("one")).isEqualTo("one");
        first.close();

        owned(RpcServer.builder()
                .host("127.0.0.1")
                .port(port)
                .export(EchoService.class, impl)
                .start());
        org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(10))
                .ignoreExceptions()
                .untilAsserted(() -> assertThat(echo.echo("two")).isEqualTo("two"));
    }

    @Test
    void deadPeerIsDetectedWithinThreeHeartbeatIntervals() throws Exception {
        try (java.net.ServerSocket silent =
                new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            RpcClient client = owned(RpcClient.builder()
                    .heartbeatInterval(Duration.ofMillis(200))
                    .build());
            EchoService echo = client.reference(EchoService.class)
                    .address("127.0.0.1", silent.getLocalPort())
                    .timeout(Duration.ofSeconds(30))
                    .build();

            long start = System.nanoTime();
            CompletableFuture<String> call = echo.echoAsync("anyone?");
            try (java.net.Socket accepted = silent.accept()) {
                assertThat(call)
                        .failsWithin(Duration.ofSeconds(10))
                        .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                        .withCauseInstanceOf(ConnectionException.class);
                assertThat(accepted.isConnected()).isTrue();
            }
            // Not before 3 silent intervals (600 ms, less a little timer slack), and through the heartbeat, not
            // the call's 30 s deadline (the detection time on a loaded machine is for the benchmarks to report).
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start))
                    .isGreaterThanOrEqualTo(550L)
                    .isLessThan(10_000L);
        }
    }
}
