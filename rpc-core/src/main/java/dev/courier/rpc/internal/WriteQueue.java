package dev.courier.rpc.internal;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Batches writes made from many threads onto one channel: messages are queued, and a single task on
 * the channel's event loop writes everything queued and flushes once, instead of one task, one flush
 * and one system call per message. Under load this turns N writes into a handful of flushes.
 *
 * <p>Thread-safe; one instance per channel, found with {@link #of(Channel)}.
 */
public final class WriteQueue implements Runnable {

    private static final AttributeKey<WriteQueue> KEY = AttributeKey.valueOf("courier.writeQueue");
    /** Flush at least this often within one drain so a long queue does not hold everything back. */
    private static final int MAX_WRITES_PER_FLUSH = 128;

    private final Channel channel;
    private final Queue<Object> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();

    private WriteQueue(Channel channel) {
        this.channel = channel;
    }

    /** Installs a queue on {@code channel}; call once, when the channel is initialised. */
    public static WriteQueue install(Channel channel) {
        WriteQueue q = new WriteQueue(channel);
        channel.attr(KEY).set(q);
        return q;
    }

    /** The queue installed on {@code channel}. */
    public static WriteQueue of(Channel channel) {
        return channel.attr(KEY).get();
    }

    /** Queues {@code message} for writing; it is written and flushed soon on the event loop. */
    public void enqueue(Object message) {
        queue.add(message);
        if (scheduled.compareAndSet(false, true)) {
            channel.eventLoop().execute(this);
        }
    }

    /** Drains the queue; runs on the event loop. */
    @Override
    public void run() {
        int sinceFlush = 0;
        Object message;
        while (true) {
            while ((message = queue.poll()) != null) {
                channel.write(message, channel.voidPromise());
                if (++sinceFlush == MAX_WRITES_PER_FLUSH) {
                    channel.flush();
                    sinceFlush = 0;
                }
            }
            scheduled.set(false);
            // A message queued after the last poll but before the reset found 'scheduled' still set.
            if (queue.isEmpty() || !scheduled.compareAndSet(false, true)) {
                break;
            }
        }
        if (sinceFlush > 0) {
            channel.flush();
        }
    }
}
