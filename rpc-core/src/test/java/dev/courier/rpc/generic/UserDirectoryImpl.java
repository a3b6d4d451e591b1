package dev.courier.rpc.generic;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** Keeps users in memory; records what it was given. */
public class UserDirectoryImpl implements UserDirectory {

    final Map<Long, User> users = new ConcurrentHashMap<>();
    final AtomicLong touched = new AtomicLong();
    private final AtomicLong ids = new AtomicLong(100);

    public UserDirectoryImpl() {
        User ada = new User();
        ada.setId(42);
        ada.setName("Ada");
        ada.setBorn(LocalDate.of(1815, 12, 10));
        ada.setSeen(Instant.parse("2026-11-30T12:00:00Z"));
        ada.setRole(Role.ADMIN);
        ada.setAddresses(List.of(new Address("London", 10115)));
        users.put(42L, ada);
    }

    @Override
    public User getUser(long id) {
        return users.get(id);
    }

    @Override
    public long register(User user) {
        long id = ids.incrementAndGet();
        user.setId(id);
        users.put(id, user);
        return id;
    }

    @Override
    public List<User> find(String name) {
        return users.values().stream().filter(u -> name.equals(u.getName())).toList();
    }

    @Override
    public List<User> find(Query query) {
        return users.values().stream()
                .filter(u -> u.getName().startsWith(query.prefix())
                        && (query.bornAfter() == null || u.getBorn().isAfter(query.bornAfter())))
                .toList();
    }

    @Override
    public CompletableFuture<User> getUserLater(long id) {
        return CompletableFuture.supplyAsync(() -> users.get(id));
    }

    @Override
    public LocalDate birthday(long id) {
        return users.get(id).getBorn();
    }

    @Override
    public void touch(long id) {
        touched.set(id);
    }

    @Override
    public void deleteUser(long id) {
        users.remove(id);
    }

    @Override
    public String fail(String message) {
        throw new IllegalStateException(message);
    }
}
