package dev.courier.rpc.bootstrap.badref;

public interface Worker {
    void work();
}
