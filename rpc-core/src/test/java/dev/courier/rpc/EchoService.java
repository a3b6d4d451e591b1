package dev.courier.rpc;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/** The service the end-to-end tests call. */
public interface EchoService {

    String echo(String s);

    byte[] echoBytes(byte[] bytes);

    Object echoObject(Object o);

    int add(int a, int b);

    List<String> repeat(String s, int times);

    String sleepThenEcho(long millis, String s);

    void fail(String message);

    String returnsNull();

    void nothing();

    CompletableFuture<String> echoAsync(String s);

    /** Served asynchronously by the provider too. */
    CompletableFuture<String> echoLater(String s, long millis);
}
