/**
 * The ZooKeeper registry backend, through Curator.
 */
package dev.courier.registry.zookeeper;
