/**
 * The message broker client: producers and subscriptions.
 */
package dev.courier.mq.client;
