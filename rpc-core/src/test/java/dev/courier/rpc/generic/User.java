package dev.courier.rpc.generic;

import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/** A bean with getters and setters, {@code java.time} values, an enum and a nested list. */
public class User {
    private long id;
    private String name;
    private LocalDate born;
    private Instant seen;
    private Role role;
    private List<Address> addresses = new ArrayList<>();

    public long getId() {
        return id;
    }

    public void setId(long id) {
        this.id = id;
    }

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public LocalDate getBorn() {
        return born;
    }

    public void setBorn(LocalDate born) {
        this.born = born;
    }

    public Instant getSeen() {
        return seen;
    }

    public void setSeen(Instant seen) {
        this.seen = seen;
    }

    public Role getRole() {
        return role;
    }

    public void setRole(Role role) {
        this.role = role;
    }

    public List<Address> getAddresses() {
        return addresses;
    }

    public void setAddresses(List<Address> addresses) {
        this.addresses = addresses;
    }
}
