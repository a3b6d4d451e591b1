/**
 * The message broker daemon: storage engine, topics, subscriptions and delivery.
 */
package dev.courier.mq.broker;
