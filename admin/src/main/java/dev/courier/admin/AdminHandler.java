package dev.courier.admin;

/**
 * Answers one admin request. Runs on the admin port's small pool, never on an I/O thread of the daemon,
 * so it may read state that takes locks. Throw {@link AdminException} for a typed error answer;
 * an {@link IllegalArgumentException} becomes 400, anything else 500.
 */
@FunctionalInterface
public interface AdminHandler {

    AdminResponse handle(AdminRequest request) throws Exception;
}
