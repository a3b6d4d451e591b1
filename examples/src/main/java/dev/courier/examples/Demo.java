package dev.courier.examples;

/** Runs the demo that {@code ./courier demo} starts. */
public final class Demo {

    private Demo() {
    }

    public static void main(String[] args) {
        System.out.println("Courier demo");
    }
}
