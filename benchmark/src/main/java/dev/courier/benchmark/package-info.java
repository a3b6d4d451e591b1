/**
 * The load-test harness and the JMH microbenchmarks.
 */
package dev.courier.benchmark;
