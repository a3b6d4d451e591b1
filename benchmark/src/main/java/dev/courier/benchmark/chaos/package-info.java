/**
 * The fault harness ({@code ./courier chaos broker}): a broker, producers and consumers as child
 * processes, faults injected on a seeded schedule (SIGKILL, SIGSTOP, simulated power loss, full disk,
 * network cuts through a loopback proxy), and a check of the whole history as Jepsen's total-queue
 * checker does.
 */
package dev.courier.benchmark.chaos;
