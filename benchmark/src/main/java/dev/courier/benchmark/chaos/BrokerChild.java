package dev.courier.benchmark.chaos;

import dev.courier.mq.broker.cli.BrokerMain;

import java.io.IOException;
import java.io.InputStream;

/**
 * The broker as the harness runs it: {@link BrokerMain} with the same arguments, plus a watch on stdin
 * (a pipe from the harness) that halts this JVM when it reaches end-of-file, so a broker never outlives
 * a harness that died without killing it.
 */
public final class BrokerChild {

    private BrokerChild() {}

    public static void main(String[] args) {
        Thread watch = new Thread(
                () -> {
                    InputStream in = System.in;
                    try {
                        while (in.read() >= 0) {
                            // nothing is sent; only the end matters
                        }
                    } catch (IOException e) {
                        // the pipe broke: the harness is gone too
                    }
                    Runtime.getRuntime().halt(137);
                },
                "courier-chaos-parent-watch");
        watch.setDaemon(true);
        watch.start();
        BrokerMain.main(args);
    }
}
