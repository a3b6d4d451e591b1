package dev.courier.mq.broker;

import dev.courier.mq.broker.storage.FsyncPolicy;
import dev.courier.mq.broker.storage.LogConfig;
import dev.courier.mq.broker.storage.StorageException;
import dev.courier.mq.client.protocol.BrokerService;
import dev.courier.mq.client.protocol.PublishRequest;
import dev.courier.mq.client.protocol.StartPosition;
import dev.courier.mq.client.protocol.SubscribeRequest;
import dev.courier.rpc.RemoteException;
import dev.courier.rpc.RpcClient;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A failed fsync makes the broker's publish calls fail, and it acknowledges nothing after it. */
class FsyncFailureTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(
            value = FsyncPolicy.class,
            names = {"ALWAYS", "GROUP"})
    void aFailedFsyncFailsThePublishCallsAndNothingIsAcknowledgedAfterIt(FsyncPolicy fsync) throws Exception {
        LogConfig failing = LogConfig.builder()
                .fsync(fsync)
                .syncer(f -> {
                    throw new IOException("injected EIO");
                })
                .build();
        BrokerConfig config = BrokerConfig.builder(dir).topicLog("bad", failing).build();
        try (Broker broker = EmbeddedBroker.start(config);
                RpcClient rpc = RpcClient.builder().build()) {
            BrokerService svc = rpc.reference(BrokerService.class)
                    .address("127.0.0.1", broker.port())
                    .timeout(Duration.ofSeconds(10))
                    .build();
            svc.subscribe(new SubscribeRequest("bad", "s", StartPosition.EARLIEST));
            for (int i = 0; i < 2; i++) { // the one that meets the failure, and one after it
                assertThatThrownBy(() -> svc.publish(new PublishRequest("bad", 0, 0, List.of(new byte[10])))
                                .get(10, TimeUnit.SECONDS))
                        .isInstanceOf(ExecutionException.class)
                        .cause()
                        .isInstanceOf(RemoteException.class)
                        .satisfies(e -> assertThat(((RemoteException) e).remoteClassName())
                                .isEqualTo(StorageException.class.getName()));
            }
            assertThat(broker.stats("bad", "s").endOffset())
                    .as("nothing was made visible")
                    .isZero();
            // another topic of the same broker is not affected
            assertThat(svc.publish(new PublishRequest("good", 0, 0, List.of(new byte[10])))
                            .get(10, TimeUnit.SECONDS)
                            .offsets())
                    .containsExactly(0);
        }
    }
}
