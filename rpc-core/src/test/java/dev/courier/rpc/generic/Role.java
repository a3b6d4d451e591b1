package dev.courier.rpc.generic;

public enum Role {
    ADMIN,
    MEMBER
}
