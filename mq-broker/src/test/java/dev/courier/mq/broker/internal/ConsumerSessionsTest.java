package dev.courier.mq.broker.internal;

import dev.courier.mq.broker.internal.ConsumerSessions.Consumer;
import dev.courier.mq.broker.internal.ConsumerSessions.Wait;
import dev.courier.mq.client.protocol.FetchResult;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/** Consumer sessions, credit and waiting fetches, on a clock given by hand. */
class ConsumerSessionsTest {

    private final ConsumerSessions sessions = new ConsumerSessions();
    private final List<CompletableFuture<FetchResult>> ended = new ArrayList<>();

    @Test
    void creditIsThePrefetchLessWhatTheConsumerHolds() {
        Consumer c = sessions.attach("c1", 3, 30_000, 0, ended);
        sessions.took(c);
        sessions.took(c);
        assertThat(sessions.credit(c)).isEqualTo(1);
        sessions.released("c1");
        assertThat(sessions.credit(c)).isEqualTo(2);
        sessions.released("gone"); // a consumer that left: nothing to count
        assertThat(sessions.credit(c)).isEqualTo(2);
        assertThat(c.ackTimeout()).isEqualTo(30_000);
    }

    @Test
    void aNewFetchEndsTheConsumersWaitingFetchOnly() {
        Consumer c1 = sessions.attach("c1", 1, 1_000, 0, ended);
        Consumer c2 = sessions.attach("c2", 1, 1_000, 0, ended);
        CompletableFuture<FetchResult> f1 = new CompletableFuture<>();
        CompletableFuture<FetchResult> f2 = new CompletableFuture<>();
        sessions.park(c1, 10, 5_000, f1);
        sessions.park(c2, 10, 5_000, f2);
        assertThat(sessions.attach("c1", 1, 1_000, 10, ended)).isSameAs(c1);
        assertThat(ended).containsExactly(f1);
        assertThat(sessions.waiting()).extracting(Wait::future).containsExactly(f2);
        assertThat(f1).isNotDone(); // completing is the caller's, outside its monitor
    }

    @Test
    void aWaitingConsumerStaysInContactAndASilentOneIsIdle() {
        Consumer waiting = sessions.attach("waiting", 1, 1_000, 0, ended);
        sessions.attach("silent", 1, 1_000, 0, ended);
        sessions.attach("acking", 1, 1_000, 0, ended);
        sessions.park(waiting, 1, 60_000, new CompletableFuture<>());
        assertThat(sessions.touch("acking", () -> 900)).isNotNull();
        assertThat(sessions.touch("nobody", () -> 900)).isNull();
        assertThat(sessions.idle(1_000, 1_000))
                .as("exactly the timeout is not past it")
                .isEmpty();
        assertThat(sessions.idle(1_001, 1_000)).containsExactly("silent");
        assertThat(sessions.idle(1_901, 1_000)).containsExactly("silent", "acking");
    }

    @Test
    void detachingEndsTheWaitAndForgetsTheConsumer() {
        Consumer c = sessions.attach("c1", 1, 1_000, 0, ended);
        CompletableFuture<FetchResult> f = new CompletableFuture<>();
        sessions.park(c, 1, 5_000, f);
        assertThat(sessions.detach("c1", ended)).isSameAs(c);
        assertThat(ended).containsExactly(f);
        assertThat(sessions.isAttached(c)).isFalse();
        assertThat(sessions.anyWaiting()).isFalse();
        assertThat(sessions.detach("c1", ended)).isNull();
        assertThat(sessions.attach("c1", 1, 1_000, 0, ended))
                .as("a new session")
                .isNotSameAs(c);
        assertThat(sessions.size()).isEqualTo(1);
    }

    @Test
    void waitsExpireAtTheirTimeAndAServedWaitLeaves() {
        Consumer c1 = sessions.attach("c1", 1, 1_000, 0, ended);
        Consumer c2 = sessions.attach("c2", 1, 1_000, 0, ended);
        sessions.park(c1, 1, 100, new CompletableFuture<>());
        sessions.park(c2, 1, 200, new CompletableFuture<>());
        Wait w2 = sessions.waiting().get(1);
        sessions.expireWaits(99, ended);
        assertThat(ended).isEmpty();
        sessions.expireWaits(100, ended);
        assertThat(ended).hasSize(1);
        assertThat(sessions.isWaiting(w2)).isTrue();
        sessions.served(w2, 150);
        assertThat(sessions.isWaiting(w2)).isFalse();
        assertThat(sessions.idle(1_100, 1_000))
                .as("c1 was in contact at its wait's end, c2 when served")
                .isEmpty();
        assertThat(sessions.idle(1_101, 1_000)).containsExactly("c1");
    }
}
