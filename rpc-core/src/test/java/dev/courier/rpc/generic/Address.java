package dev.courier.rpc.generic;

/** A record, nested in {@link User}. */
public record Address(String city, int zip) {}
