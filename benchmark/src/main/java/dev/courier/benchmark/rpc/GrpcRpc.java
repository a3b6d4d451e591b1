package dev.courier.benchmark.rpc;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.TlsChannelCredentials;
import io.grpc.TlsServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * gRPC-java over its Netty transport with a hand-written method descriptor and a byte-array
 * marshaller (no protobuf), the server with {@code directExecutor()} or its default executor.
 */
final class GrpcRpc implements RpcSystem {

    private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new java.io.ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    private static final MethodDescriptor<byte[], byte[]> ECHO = MethodDescriptor.<byte[], byte[]>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName(MethodDescriptor.generateFullMethodName("bench.Echo", "Echo"))
            .setRequestMarshaller(BYTES)
            .setResponseMarshaller(BYTES)
            .build();

    private final boolean direct;
    private final BenchTls tls;
    private Server server;
    private ManagedChannel[] channels;

    GrpcRpc(boolean direct, BenchTls tls) {
        this.direct = direct;
        this.tls = tls;
    }

    @Override
    public String name() {
        return (direct ? "grpc-direct" : "grpc-default") + (tls == null ? "" : "-tls");
    }

    @Override
    public Echo start(int connections) throws IOException {
        ServerServiceDefinition service = ServerServiceDefinition.builder("bench.Echo")
                .addMethod(ECHO, ServerCalls.asyncUnaryCall((req, observer) -> {
                    observer.onNext(req);
                    observer.onCompleted();
                }))
                .build();
        NettyServerBuilder sb = tls == null
                ? NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                : NettyServerBuilder.forAddress(
                        new InetSocketAddress("127.0.0.1", 0),
                        TlsServerCredentials.create(
                                tls.serverCert().toFile(), tls.serverKey().toFile()));
        sb.addService(service);
        if (direct) {
            sb.directExecutor();
        }
        server = sb.build().start();
        channels = new ManagedChannel[connections];
        for (int i = 0; i < connections; i++) {
            NettyChannelBuilder cb = tls == null
                    ? NettyChannelBuilder.forAddress("127.0.0.1", server.getPort())
                            .usePlaintext()
                    : NettyChannelBuilder.forAddress(
                            "127.0.0.1",
                            server.getPort(),
                            TlsChannelCredentials.newBuilder()
                                    .trustManager(tls.ca().toFile())
                                    .build());
            channels[i] = cb.directExecutor().build();
        }
        java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        return payload -> ClientCalls.blockingUnaryCall(
                channels[connections == 1 ? 0 : Math.floorMod(next.getAndIncrement(), connections)],
                ECHO,
                CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS),
                payload);
    }

    @Override
    public void close() {
        try {
            if (channels != null) {
                for (ManagedChannel c : channels) {
                    c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
                }
            }
            if (server != null) {
                server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
