package dev.courier.serialization;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/** Application types for the serializer tests: what a service interface might carry. */
public final class Fixtures {

    private Fixtures() {}

    /** The service whose types make up the contract suite's allowlist. */
    public interface OrderService {
        Order find(String id) throws OrderNotFoundException;

        CompletableFuture<List<LineItem>> lines(Map<String, CompletableFuture<Customer>> customers);

        Drawing draw(Shape[] shapes, Status status);
    }

    public enum Status {
        NEW,
        PAID {
            @Override
            public String label() {
                return "paid!";
            }
        },
        SHIPPED;

        public String label() {
            return name().toLowerCase();
        }
    }

    public record Money(long cents, String currency) {}

    public record LineItem(String sku, int count, Money price, Optional<String> note) {}

    public static class Customer {
        public String name;
        public List<String> emails;

        public Customer() {}

        public Customer(String name, List<String> emails) {
            this.name = name;
            this.emails = emails;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Customer c && Objects.equals(name, c.name) && Objects.equals(emails, c.emails);
        }

        @Override
        public int hashCode() {
            return Objects.hash(name, emails);
        }
    }

    public static class Order {
        public String id;
        public int quantity;
        public BigDecimal total;
        public List<LineItem> lines = new ArrayList<>();
        public Map<String, Integer> tags = new LinkedHashMap<>();
        public Status status;
        public Customer customer;
        public Instant createdAt;
        public UUID reference;
        public transient String cached = "not sent";

        @Override
        public boolean equals(Object o) {
            return o instanceof Order x
                    && Objects.equals(id, x.id)
                    && quantity == x.quantity
                    && Objects.equals(total, x.total)
                    && Objects.equals(lines, x.lines)
                    && Objects.equals(tags, x.tags)
                    && status == x.status
                    && Objects.equals(customer, x.customer)
                    && Objects.equals(createdAt, x.createdAt)
                    && Objects.equals(reference, x.reference);
        }

        @Override
        public int hashCode() {
            return Objects.hash(id, quantity);
        }
    }

    public abstract static class Shape {
        public String label;

        @Override
        public boolean equals(Object o) {
            return o != null && o.getClass() == getClass() && Objects.equals(label, ((Shape) o).label);
        }

        @Override
        public int hashCode() {
            return Objects.hashCode(label);
        }
    }

    public static class Circle extends Shape {
        public double radius;

        public Circle() {}

        public Circle(String label, double radius) {
            this.label = label;
            this.radius = radius;
        }

        @Override
        public boolean equals(Object o) {
            return super.equals(o) && ((Circle) o).radius == radius;
        }

        @Override
        public int hashCode() {
            return super.hashCode();
        }
    }

    public static class Square extends Shape {
        public int side;

        public Square() {}

        public Square(String label, int side) {
            this.label = label;
            this.side = side;
        }

        @Override
        public boolean equals(Object o) {
            return super.equals(o) && ((Square) o).side == side;
        }

        @Override
        public int hashCode() {
            return super.hashCode();
        }
    }

    public static class Drawing {
        public List<Shape> shapes = new ArrayList<>();
        public Shape main;
        public Object anything;

        @Override
        public boolean equals(Object o) {
            return o instanceof Drawing d
                    && Objects.equals(shapes, d.shapes)
                    && Objects.equals(main, d.main)
                    && Objects.deepEquals(anything, d.anything);
        }

        @Override
        public int hashCode() {
            return Objects.hash(shapes, main);
        }
    }

    public static class OrderNotFoundException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public OrderNotFoundException(String message) {
            super(message);
        }
    }

    public static class QuotaExceededException extends Exception {
        private static final long serialVersionUID = 1L;

        public QuotaExceededException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Never in the contract allowlist. */
    public static class SecretA {
        public String payload;

        public SecretA() {}

        public SecretA(String payload) {
            this.payload = payload;
        }
    }

    /** A record never in the contract allowlist. */
    public record SecretRecord(String payload) {}

    /** The allowlist the contract suite uses. */
    public static TypeAllowlist allowlist() {
        return TypeAllowlist.builder()
                .allowServiceInterface(OrderService.class)
                .allow(Circle.class, Square.class, QuotaExceededException.class)
                .build();
    }

    /** A sample order touching most kinds of value. */
    public static Order sampleOrder() {
        Order o = new Order();
        o.id = "order-42 ✓";
        o.quantity = 3;
        o.total = new BigDecimal("1234.5600");
        o.lines.add(new LineItem("sku-1", 2, new Money(1999, "EUR"), Optional.of("gift wrap")));
        o.lines.add(new LineItem("sku-2", 1, new Money(5, "USD"), Optional.empty()));
        o.tags.put("priority", 1);
        o.tags.put("region", 7);
        o.status = Status.PAID;
        o.customer = new Customer("Zoë", new ArrayList<>(List.of("zoe@example.org")));
        o.createdAt = Instant.parse("2024-05-06T07:08:09.123456789Z");
        o.reference = UUID.fromString("123e4567-e89b-12d3-a456-426614174000");
        return o;
    }
}
