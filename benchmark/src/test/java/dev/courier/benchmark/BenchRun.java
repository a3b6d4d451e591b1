package dev.courier.benchmark;

import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** A bench command run in this JVM, with what it printed. */
record BenchRun(int exit, String printed) {

    static BenchRun of(Object command, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream previous = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            int exit = new CommandLine(command).execute(args);
            return new BenchRun(exit, out.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(previous);
        }
    }
}
