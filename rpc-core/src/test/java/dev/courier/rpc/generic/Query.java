package dev.courier.rpc.generic;

import java.time.LocalDate;

/** A query record: a name prefix and the earliest birthday. */
public record Query(String prefix, LocalDate bornAfter) {}
