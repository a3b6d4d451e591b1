package dev.courier.rpc.bootstrap.duplicate;

public interface Echo {
    String echo(String s);
}
