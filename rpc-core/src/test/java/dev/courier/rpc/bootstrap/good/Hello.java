package dev.courier.rpc.bootstrap.good;

public interface Hello {
    String hello(String name);
}
