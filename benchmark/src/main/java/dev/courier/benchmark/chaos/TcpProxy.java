package dev.courier.benchmark.chaos;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy on loopback between the clients and the broker, so the harness can cut the network:
 * {@link #cut()} closes every proxied connection and refuses new ones (accepted and reset at once)
 * until {@link #restore()}. The target can change while it runs ({@link #target}), so clients keep
 * one address across broker restarts on new ports.
 *
 * <p>All of its work runs on its one event-loop thread, also {@code cut} and {@code restore}, so no
 * connection slips through a cut half-made. Thread-safe. It owns its thread and channels;
 * {@link #close()} closes them and is idempotent.
 */
final class TcpProxy implements AutoCloseable {

    private final EventLoopGroup group =
            new NioEventLoopGroup(1, new DefaultThreadFactory("courier-chaos-proxy", true));
    private final EventLoop loop = group.next();
    /** Both sides of every proxied connection. */
    private final ChannelGroup open = new DefaultChannelGroup("proxied", loop);

    private final Channel server;
    private final AtomicLong accepted = new AtomicLong();
    private volatile InetSocketAddress target;
    // only touched on the loop
    private boolean refusing;
    private boolean closed;

    private TcpProxy(InetSocketAddress target) {
        this.target = target;
        try {
            server = new ServerBootstrap()
                    .group(group)
                    .channel(NioServerSocketChannel.class)
                    .childOption(ChannelOption.AUTO_READ, false)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            accepted.incrementAndGet();
                            if (refusing) {
                                ch.config().setSoLinger(0); // a reset, as a refused connection gets
                                ch.close();
                                return;
                            }
                            open.add(ch);
                            ch.pipeline().addLast(new Frontend());
                        }
                    })
                    .bind(new InetSocketAddress("127.0.0.1", 0))
                    .syncUninterruptibly()
                    .channel();
        } catch (RuntimeException e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
    }

    /** Starts a proxy on an ephemeral loopback port forwarding to {@code target}. */
    static TcpProxy start(InetSocketAddress target) {
        return new TcpProxy(target);
    }

    int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    /** {@code 127.0.0.1:<port>}, the address clients use. */
    String address() {
        return "127.0.0.1:" + port();
    }

    /** New connections go to {@code target}; existing ones stay where they are. */
    void target(InetSocketAddress target) {
        this.target = target;
    }

    /** Connections accepted so far, refused ones included. */
    long accepted() {
        return accepted.get();
    }

    /** Open channels, client and broker sides counted apart. */
    int openChannels() {
        return loop.submit(open::size).syncUninterruptibly().getNow();
    }

    /** Closes every proxied connection and refuses new ones until {@link #restore()}. */
    void cut() {
        loop.submit(() -> {
                    refusing = true;
                    for (Channel c : open) {
                        if (c.isActive()) {
                            c.config().setOption(ChannelOption.SO_LINGER, 0); // reset, as a cable pulled mid-stream
                        }
                    }
                    open.close();
                })
                .syncUninterruptibly();
    }

    /** Accepts connections again. */
    void restore() {
        loop.submit(() -> {
                    refusing = false;
                })
                .syncUninterruptibly();
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        server.close().syncUninterruptibly();
        open.close().syncUninterruptibly();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** The client side: connects to the target, then relays both ways, reading only what the other side took. */
    private final class Frontend extends ChannelInboundHandlerAdapter {
        private Channel outbound;

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            Channel inbound = ctx.channel();
            outbound = new Bootstrap()
                    .group(inbound.eventLoop())
                    .channel(NioSocketChannel.class)
                    .option(ChannelOption.AUTO_READ, false)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 2000)
                    .handler(new Relay(inbound))
                    .connect(target)
                    .addListener((ChannelFutureListener) f -> {
                        if (f.isSuccess()) {
                            inbound.read();
                            f.channel().read();
                        } else {
                            inbound.close();
                        }
                    })
                    .channel();
            open.add(outbound);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            relay(msg, ctx.channel(), outbound);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (outbound != null) {
                closeOnFlush(outbound);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            closeOnFlush(ctx.channel());
        }
    }

    /** The broker side: relays to the client. */
    private static final class Relay extends ChannelInboundHandlerAdapter {
        private final Channel inbound;

        Relay(Channel inbound) {
            this.inbound = inbound;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            relay(msg, ctx.channel(), inbound);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            closeOnFlush(inbound);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            closeOnFlush(ctx.channel());
        }
    }

    /** Writes {@code msg} (ownership passes) and reads more from {@code from} once it is written. */
    private static void relay(Object msg, Channel from, Channel to) {
        if (to == null || !to.isActive()) {
            ReferenceCountUtil.release(msg);
            from.close();
            return;
        }
        to.writeAndFlush(msg).addListener((ChannelFutureListener) f -> {
            if (f.isSuccess()) {
                from.read();
            } else {
                f.channel().close();
                from.close();
            }
        });
    }

    private static void closeOnFlush(Channel ch) {
        if (ch.isActive()) {
            ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        } else {
            ch.close();
        }
    }
}
