package dev.courier.rpc.generic;

import dev.courier.rpc.Idempotent;

import java.time.LocalDate;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** A service generic calls reach without its interface on the caller's side. */
public interface UserDirectory {

    @Idempotent
    User getUser(long id);

    /** Stores {@code user} (built from a map by a generic call) and answers its id. */
    long register(User user);

    List<User> find(String name);

    List<User> find(Query query);

    CompletableFuture<User> getUserLater(long id);

    LocalDate birthday(long id);

    void touch(long id);

    void deleteUser(long id);

    String fail(String message);
}
