package dev.courier.rpc.internal;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/** The channel and event-loop types of the transport (NIO), chosen in one place. */
public final class Transport {

    private Transport() {}

    public static EventLoopGroup newGroup(int threads, String name) {
        return new NioEventLoopGroup(threads, new DefaultThreadFactory(name, true));
    }

    public static Class<? extends SocketChannel> socketChannel() {
        return NioSocketChannel.class;
    }

    public static Class<? extends ServerSocketChannel> serverChannel() {
        return NioServerSocketChannel.class;
    }

    public static String name() {
        return "nio";
    }
}
