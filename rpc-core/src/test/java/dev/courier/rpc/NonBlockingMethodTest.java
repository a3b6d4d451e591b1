package dev.courier.rpc;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Methods marked {@link NonBlocking} run on the I/O thread, one connection's calls in the order sent. */
class NonBlockingMethodTest {

    public interface Sequencer {
        @NonBlocking
        CompletableFuture<String> append(int value);

        String threadOfBlockingMethod();
    }

    static final class SequencerImpl implements Sequencer {
        final List<Integer> seen = new CopyOnWriteArrayList<>();
        final List<String> threads = new CopyOnWriteArrayList<>();

        @Override
        public CompletableFuture<String> append(int value) {
            seen.add(value);
            threads.add(Thread.currentThread().getName());
            return CompletableFuture.completedFuture(Thread.currentThread().getName());
        }

        @Override
        public String threadOfBlockingMethod() {
            return Thread.currentThread().getName();
        }
    }

    @Test
    void markedMethodsRunOnTheIoThreadInTheOrderSentOthersOnTheBusinessPool() throws Exception {
        SequencerImpl impl = new SequencerImpl();
        try (RpcServer server = RpcServer.builder()
                        .host("127.0.0.1")
                        .export(Sequencer.class, impl)
                        .start();
                RpcClient client = RpcClient.builder().build()) {
            // a deadline far above what these pipelined calls take on a loaded machine: the test is about order
            Sequencer s = client.reference(Sequencer.class)
                    .address("127.0.0.1", server.port())
                    .timeout(Duration.ofSeconds(60))
                    .build();
            assertThat(s.threadOfBlockingMethod()).startsWith("courier-server-biz");
            List<CompletableFuture<String>> calls = new ArrayList<>();
            List<Integer> sent = new ArrayList<>();
            for (int i = 0; i < 2000; i++) {
                sent.add(i);
                calls.add(s.append(i));
            }
            for (CompletableFuture<String> c : calls) {
                assertThat(c.get(30, TimeUnit.SECONDS)).startsWith("courier-server-io");
            }
            assertThat(impl.seen).containsExactlyElementsOf(sent);
            assertThat(impl.threads).allSatisfy(t -> assertThat(t).startsWith("courier-server-io"));
        }
    }

    @Test
    void callsMadeWhileTheConnectionIsStillBeingOpenedKeepTheirOrder() throws Exception {
        SequencerImpl impl = new SequencerImpl();
        try (RpcServer server = RpcServer.builder()
                        .host("127.0.0.1")
                        .export(Sequencer.class, impl)
                        .start();
                RpcClient client = RpcClient.builder().build()) {
            // a deadline far above what these pipelined calls take on a loaded machine: the test is about order
            Sequencer s = client.reference(Sequencer.class)
                    .address("127.0.0.1", server.port())
                    .timeout(Duration.ofSeconds(60))
                    .build();
            List<CompletableFuture<String>> calls = new ArrayList<>();
            List<Integer> sent = new ArrayList<>();
            for (int i = 0; i < 500; i++) { // the first call opens the connection; the rest queue behind it
                sent.add(i);
                calls.add(s.append(i));
            }
            for (CompletableFuture<String> c : calls) {
                c.get(30, TimeUnit.SECONDS);
            }
            assertThat(impl.seen).containsExactlyElementsOf(sent);
        }
    }
}
