/**
 * The ZooKeeper registry backend ({@code zookeeper://host:port,...}), built on Apache Curator: one
 * ephemeral node per instance under {@code <root>/services/<group~interface:version>/<host:port>},
 * watched with {@code CuratorCache}.
 */
package dev.courier.registry.zookeeper;
