package dev.courier.benchmark.jmh;

import dev.courier.proxy.ProxyFactories;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** A call through a proxy to an invoker that returns its first argument: JDK proxies vs ByteBuddy. */
@State(Scope.Thread)
public class ProxyDispatchBenchmark {

    /** The proxied interface. */
    public interface Echo {
        String echo(String s);
    }

    @Param({"jdk", "bytebuddy"})
    String factory;

    private Echo proxy;
    private final String argument = "hello";

    @Setup
    public void setUp() {
        proxy = ProxyFactories.load().byName(factory).createProxy(Echo.class, (method, args) -> args[0]);
    }

    @Benchmark
    public String call() {
        return proxy.echo(argument);
    }
}
