package dev.courier.mq.client;

/**
 * Processes one delivered message. With {@link SubscribeOptions.AckMode#AUTO} the message is acked
 * when this returns and nacked (with the exception as its failure reason) when it throws; with
 * {@link SubscribeOptions.AckMode#MANUAL} the handler calls {@link Message#ack()} or
 * {@link Message#nack} itself.
 */
@FunctionalInterface
public interface MessageHandler {
    void handle(Message message) throws Exception;
}
