package dev.courier.benchmark.rpc;

import dev.courier.rpc.internal.Transport;
import dev.courier.rpc.internal.WriteQueue;
import dev.courier.rpc.internal.protocol.FrameFormat;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The physical limit of an RPC on this transport, {@code netty-raw}: Courier's frames (the 20-byte
 * {@link FrameFormat} header and a body) over the same Netty transport, event-loop sizes, socket options and
 * write batching ({@link WriteQueue}) as Courier, with nothing else: no serialization (the body is the
 * payload), no proxy, no interceptors, no business pool (the server echoes on its I/O thread), no deadline
 * timer. A caller blocks on a future completed by the client's I/O thread, as Courier's do. Not a peer:
 * {@code --compare} prints Courier's best variant over it as a {@code LIMIT} line, and leaves it out of the
 * {@code RATIO} lines.
 */
final class NettyRawRpc implements RpcSystem {

    static final String NAME = "netty-raw";

    private static final int MAX_FRAME = FrameFormat.HEADER_LENGTH + FrameFormat.DEFAULT_MAX_BODY_LENGTH;

    private EventLoopGroup boss;
    private EventLoopGroup serverIo;
    private EventLoopGroup clientIo;
    private Channel serverChannel;
    private Channel[] channels = new Channel[0];
    private final Map<Long, CompletableFuture<byte[]>> pending = new ConcurrentHashMap<>();

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Echo start(int connections) throws Exception {
        boss = Transport.newGroup(1, "raw-server-boss");
        serverIo = Transport.newGroup(Runtime.getRuntime().availableProcessors(), "raw-server-io");
        clientIo = Transport.newGroup(Math.min(4, Runtime.getRuntime().availableProcessors()), "raw-client-io");
        serverChannel = new ServerBootstrap()
                .group(boss, serverIo)
                .channel(Transport.serverChannel())
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(frames(), new EchoHandler());
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0))
                .sync()
                .channel();
        int port = ((InetSocketAddress) serverChannel.localAddress()).getPort();
        ResponseHandler responses = new ResponseHandler(pending);
        Bootstrap client = new Bootstrap()
                .group(clientIo)
                .channel(Transport.socketChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        WriteQueue.install(ch);
                        ch.pipeline().addLast(frames(), responses);
                    }
                });
        channels = new Channel[connections];
        for (int i = 0; i < connections; i++) {
            channels[i] = client.connect("127.0.0.1", port).sync().channel();
        }
        AtomicLong ids = new AtomicLong();
        AtomicInteger next = new AtomicInteger();
        return payload -> {
            Channel channel = channels[connections == 1 ? 0 : Math.floorMod(next.getAndIncrement(), connections)];
            long id = ids.incrementAndGet();
            CompletableFuture<byte[]> answer = new CompletableFuture<>();
            pending.put(id, answer);
            ByteBuf frame = channel.alloc().buffer(FrameFormat.HEADER_LENGTH + payload.length);
            frame.writeShort(FrameFormat.MAGIC)
                    .writeByte(FrameFormat.VERSION)
                    .writeByte(0) // flags: a request
                    .writeByte(0) // serializer: none, the body is the payload
                    .writeByte(0) // compression
                    .writeByte(0) // status
                    .writeByte(0) // reserved
                    .writeLong(id)
                    .writeInt(payload.length)
                    .writeBytes(payload);
            WriteQueue.of(channel).enqueue(frame);
            try {
                return answer.get(10, TimeUnit.SECONDS);
            } finally {
                pending.remove(id);
            }
        };
    }

    /** Whole frames, checked against the same largest body as Courier's decoder. */
    private static LengthFieldBasedFrameDecoder frames() {
        return new LengthFieldBasedFrameDecoder(MAX_FRAME, FrameFormat.BODY_LENGTH_OFFSET, 4);
    }

    /** Turns each request frame into its response in place and writes it back, flushing once per read. */
    private static final class EchoHandler extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf frame = (ByteBuf) msg;
            frame.setByte(FrameFormat.FLAGS_OFFSET, FrameFormat.FLAG_RESPONSE);
            ctx.write(frame, ctx.voidPromise());
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }
    }

    /** Completes the caller's future with the response body, on the client's I/O thread. */
    @ChannelHandler.Sharable
    private static final class ResponseHandler extends SimpleChannelInboundHandler<ByteBuf> {
        private final Map<Long, CompletableFuture<byte[]>> pending;

        ResponseHandler(Map<Long, CompletableFuture<byte[]>> pending) {
            this.pending = pending;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
            long id = frame.getLong(FrameFormat.REQUEST_ID_OFFSET);
            byte[] body = new byte[frame.getInt(FrameFormat.BODY_LENGTH_OFFSET)];
            frame.getBytes(FrameFormat.HEADER_LENGTH, body);
            CompletableFuture<byte[]> answer = pending.get(id);
            if (answer != null) {
                answer.complete(body);
            }
        }
    }

    @Override
    public void close() {
        for (Channel c : channels) {
            c.close().syncUninterruptibly();
        }
        if (serverChannel != null) {
            serverChannel.close().syncUninterruptibly();
        }
        for (EventLoopGroup g : new EventLoopGroup[] {clientIo, serverIo, boss}) {
            if (g != null) {
                g.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
            }
        }
    }
}
