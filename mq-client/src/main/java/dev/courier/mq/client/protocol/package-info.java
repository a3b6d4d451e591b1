/**
 * The broker protocol: the {@link dev.courier.mq.client.protocol.BrokerService} interface served over
 * rpc-core, and the records it carries. Shared by the client and the broker.
 */
package dev.courier.mq.client.protocol;
