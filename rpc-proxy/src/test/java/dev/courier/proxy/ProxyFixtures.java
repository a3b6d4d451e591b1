package dev.courier.proxy;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.List;

/** Interfaces the contract suite proxies. */
final class ProxyFixtures {

    private ProxyFixtures() {}

    public interface Greeter {
        String greet(String name);

        default String greetTwice(String name) {
            return greet(name) + " " + greet(name);
        }
    }

    public interface Primitives {
        int add(int a, int b);

        long scale(long value, double factor);

        boolean flip(boolean b);

        char next(char c);

        byte narrow(short s, float f);

        void fire(int event);

        default int triple(int x) {
            return add(add(x, x), x);
        }
    }

    public interface Overloaded {
        String f(int x);

        String f(long x);

        String f(Integer x);

        String f(String s);

        String f(int a, int b);

        String f(String... parts);
    }

    public interface Repo<T> {
        T get(String id);

        void put(String id, T value);

        <R> R map(String id, Class<R> type);
    }

    public record User(String name) {}

    public interface UserRepo extends Repo<User> {
        List<User> findAll();
    }

    /** Narrows {@code get}; javac adds a bridge {@code Object get(String)} to this interface. */
    public interface NarrowedRepo extends Repo<User> {
        @Override
        User get(String id);
    }

    public interface Risky {
        String declared() throws IOException;

        String undeclared();

        String declaresSuperclass() throws IOException;
    }

    /** Thrown as a subclass of a declared exception. */
    static final class Missing extends FileNotFoundException {
        private static final long serialVersionUID = 1L;

        Missing(String message) {
            super(message);
        }
    }

    public interface RedeclaresObjectMethods {
        @Override
        String toString();

        @Override
        boolean equals(Object other);

        @Override
        int hashCode();

        String work();
    }

    interface PackagePrivate {
        String whisper(String text);

        default String whisperTwice(String text) {
            return whisper(text) + whisper(text);
        }
    }

    public abstract static class NotAnInterface {
        public abstract String work();
    }

    public sealed interface Shape permits Circle {
        double area();
    }

    public static final class Circle implements Shape {
        @Override
        public double area() {
            return Math.PI;
        }
    }
}
