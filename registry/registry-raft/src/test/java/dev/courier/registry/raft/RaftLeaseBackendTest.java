package dev.courier.registry.raft;

import dev.courier.registry.RegistryException;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.api.BlockingApi;
import org.apache.ratis.client.retry.ClientRetryEvent;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.AlreadyClosedException;
import org.apache.ratis.protocol.exceptions.LeaderSteppingDownException;
import org.apache.ratis.protocol.exceptions.TransferLeadershipException;
import org.apache.ratis.retry.RetryPolicy;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.Timestamp;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A call that Ratis's client fails with {@link AlreadyClosedException} while the backend is open (a
 * connection another thread closed to replace it) is made again; after close, and for other failures,
 * it is not. The Ratis client's own retries are bounded by time, not by a count of attempts.
 */
class RaftLeaseBackendTest {

    /** A client whose blocking {@code send} fails as {@code failure} says, then answers a granted lease 42. */
    private static RaftClient client(AtomicInteger sends, int failures, IOException failure) {
        BlockingApi io = (BlockingApi) Proxy.newProxyInstance(
                BlockingApi.class.getClassLoader(), new Class<?>[] {BlockingApi.class}, (proxy, method, args) -> {
                    if (!method.getName().equals("send")) {
                        throw new UnsupportedOperationException(method.getName());
                    }
                    if (sends.incrementAndGet() <= failures) {
                        throw failure;
                    }
                    ByteBuffer granted =
                            ByteBuffer.allocate(9).put((byte) 0).putLong(42).flip();
                    return RaftClientReply.newBuilder()
                            .setClientId(ClientId.randomId())
                            .setServerId(RaftPeerId.valueOf("n1"))
                            .setGroupId(RaftGroupId.randomId())
                            .setCallId(1)
                            .setSuccess(true)
                            .setMessage(Message.valueOf(ByteString.copyFrom(granted)))
                            .build();
                });
        return (RaftClient) Proxy.newProxyInstance(
                RaftClient.class.getClassLoader(),
                new Class<?>[] {RaftClient.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "io" -> io;
                    case "close" -> null;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    @Test
    void aCallOnAConnectionClosedUnderItIsMadeAgain() {
        AtomicInteger sends = new AtomicInteger();
        RaftLeaseBackend backend =
                new RaftLeaseBackend(client(sends, 3, new AlreadyClosedException("client-1 is already CLOSED")), null);
        assertThat(backend.grant(Duration.ofSeconds(10))).isEqualTo(42);
        assertThat(sends).hasValue(4);
    }

    @Test
    void otherFailuresAndCallsAfterCloseAreNotRetried() {
        AtomicInteger sends = new AtomicInteger();
        RaftLeaseBackend backend = new RaftLeaseBackend(client(sends, 1, new IOException("unreachable")), null);
        assertThatThrownBy(() -> backend.grant(Duration.ofSeconds(10)))
                .isInstanceOf(RegistryException.class)
                .hasMessageContaining("unreachable");
        assertThat(sends).hasValue(1);

        AtomicInteger afterClose = new AtomicInteger();
        RaftLeaseBackend closed = new RaftLeaseBackend(
                client(afterClose, 1, new AlreadyClosedException("client-2 is already CLOSED")), null);
        closed.close();
        assertThatThrownBy(() -> closed.grant(Duration.ofSeconds(10))).isInstanceOf(RegistryException.class);
        assertThat(afterClose).hasValue(1);
    }

    @Test
    void retriesAreBounded() {
        AtomicInteger sends = new AtomicInteger();
        RaftLeaseBackend backend = new RaftLeaseBackend(
                client(sends, Integer.MAX_VALUE, new AlreadyClosedException("client-3 is already CLOSED")), null);
        assertThatThrownBy(() -> backend.grant(Duration.ofSeconds(10))).isInstanceOf(RegistryException.class);
        assertThat(sends).hasValue(RaftLeaseBackend.STALE_CONNECTION_RETRIES + 1);
    }

    /**
     * A failed attempt of a {@code type} request first sent {@code ageMs} ago, the {@code attempt}th, failing with
     * {@code cause}.
     */
    private static ClientRetryEvent failedAttempt(
            RaftClientRequest.Type type, long ageMs, int attempt, Throwable cause) {
        RaftClientRequest request = RaftClientRequest.newBuilder()
                .setClientId(ClientId.randomId())
                .setServerId(RaftPeerId.valueOf("n1"))
                .setGroupId(RaftGroupId.randomId())
                .setCallId(1)
                .setMessage(Message.EMPTY)
                .setType(type)
                .build();
        return new ClientRetryEvent(
                attempt,
                request,
                cause == null ? 0 : attempt,
                cause,
                Timestamp.currentTime().addTimeMs(-ageMs));
    }

    /**
     * Ratis reports a "not leader" or "leader not ready" answer, and a refused connection, at once: a
     * budget of attempts ran out in about five seconds, before a loaded cluster had elected a leader. The
     * budget is one of time, the same for every kind of request.
     */
    @Test
    void theClientRetriesFastFailuresForTheWholeFailoverBudgetAndNotLonger() {
        RetryPolicy policy = RaftLeaseBackend.retryPolicy();
        long budgetMs = RaftLeaseBackend.FAILOVER_BUDGET.toMillis();
        for (RaftClientRequest.Type type : List.of(
                RaftClientRequest.writeRequestType(),
                RaftClientRequest.readRequestType(),
                RaftClientRequest.watchRequestType())) {
            // a not-leader answer carries no exception; a refused connection does
            for (Throwable cause : Arrays.asList(null, new IOException("Connection refused"))) {
                RetryPolicy.Action early = policy.handleAttemptFailure(failedAttempt(type, 0, 1, cause));
                assertThat(early.shouldRetry()).isTrue();
                assertThat(early.getSleepTime().toLong(TimeUnit.MILLISECONDS)).isEqualTo(100);
                assertThat(policy.handleAttemptFailure(failedAttempt(type, budgetMs - 5_000, 500, cause))
                                .shouldRetry())
                        .as("attempt 500, %s, %s", type, cause)
                        .isTrue();
                assertThat(policy.handleAttemptFailure(failedAttempt(type, budgetMs + 1, 2, cause))
                                .shouldRetry())
                        .as("past the budget, %s, %s", type, cause)
                        .isFalse();
            }
        }
    }

    @Test
    void aCallRefusedByALeaderSteppingDownIsMadeAgainWithinTheBudget() {
        AtomicInteger sends = new AtomicInteger();
        RaftLeaseBackend backend = new RaftLeaseBackend(
                client(sends, 3, new LeaderSteppingDownException("n2@group is stepping down")), null);
        assertThat(backend.grant(Duration.ofSeconds(10))).isEqualTo(42);
        assertThat(sends).hasValue(4);

        AtomicInteger transfers = new AtomicInteger();
        RaftLeaseBackend handingOver = new RaftLeaseBackend(
                client(transfers, 1, new TransferLeadershipException("n1@group is transferring leadership")), null);
        assertThat(handingOver.grant(Duration.ofSeconds(10))).isEqualTo(42);
        assertThat(transfers).hasValue(2);
    }

    @Test
    void aLeaderThatKeepsSteppingDownIsReportedOnceTheBudgetIsSpent() {
        AtomicInteger sends = new AtomicInteger();
        RaftLeaseBackend backend = new RaftLeaseBackend(
                client(sends, Integer.MAX_VALUE, new LeaderSteppingDownException("n2@group is stepping down")),
                null,
                Duration.ofMillis(300));
        long started = System.nanoTime();
        assertThatThrownBy(() -> backend.grant(Duration.ofSeconds(10)))
                .isInstanceOf(RegistryException.class)
                .hasRootCauseInstanceOf(LeaderSteppingDownException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
        assertThat(sends.get()).isGreaterThan(1);
    }
}
