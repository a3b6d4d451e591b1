package dev.courier.registry.raft;

import dev.courier.registry.Registries;
import dev.courier.registry.Registry;
import dev.courier.registry.coordination.Coordination;
import dev.courier.registry.coordination.LockGrant;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code courier lock --registry URL NAME -- COMMAND...}: runs the command while holding the lock, as
 * {@code etcdctl lock} does. The command sees the grant's fencing token in {@code COURIER_FENCING_TOKEN}
 * (and the lock's name in {@code COURIER_LOCK_NAME}). Should the lock be lost while the command runs (the
 * session could not be renewed), the command is stopped: SIGTERM, then SIGKILL after
 * {@code --kill-after} seconds.
 *
 * <p>Exit status: the command's own; {@value #NOT_ACQUIRED} when the lock was not acquired within
 * {@code --timeout}; {@value #LOST} when the lock was lost and the command stopped; 1 when the registry
 * could not be reached or the command not started.
 */
@Command(
        name = "lock",
        mixinStandardHelpOptions = true,
        description = "Runs COMMAND while holding lock NAME; the fencing token is in COURIER_FENCING_TOKEN.")
public final class LockCommand implements Callable<Integer> {

    static final int NOT_ACQUIRED = 3;
    static final int LOST = 4;

    @Option(names = "--registry", required = true, description = "embedded://, raft://..., zookeeper://...")
    String registry;

    @Option(names = "--timeout", defaultValue = "-1", description = "Seconds to wait for the lock (default: no limit).")
    long timeoutSeconds;

    @Option(names = "--ttl", defaultValue = "10", description = "Session TTL in seconds (default: ${DEFAULT-VALUE}).")
    long ttlSeconds;

    @Option(
            names = "--kill-after",
            defaultValue = "5",
            description = "Seconds between SIGTERM and SIGKILL when the lock is lost (default: ${DEFAULT-VALUE}).")
    long killAfterSeconds;

    @Parameters(index = "0", description = "The lock's name.")
    String name;

    @Parameters(index = "1..*", arity = "1..*", description = "The command to run (after --).")
    List<String> command;

    public static void main(String[] args) {
        System.exit(new CommandLine(new LockCommand()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Duration timeout = timeoutSeconds < 0 ? Duration.ofDays(365) : Duration.ofSeconds(timeoutSeconds);
        try (Registry client = Registries.connect(registry);
                Coordination coordination = client.openCoordination(Duration.ofSeconds(ttlSeconds))) {
            Optional<LockGrant> acquired = coordination.lock(name).tryLock(timeout);
            if (acquired.isEmpty()) {
                System.err.println("courier lock: " + name + " not acquired within " + timeoutSeconds + " s");
                return NOT_ACQUIRED;
            }
            try (LockGrant grant = acquired.get()) {
                return run(grant);
            }
        } catch (dev.courier.registry.RegistryException e) {
            System.err.println("courier lock: " + e.getMessage());
            return 1;
        }
    }

    private int run(LockGrant grant) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).inheritIO();
        builder.environment().put("COURIER_FENCING_TOKEN", Long.toString(grant.fencingToken()));
        builder.environment().put("COURIER_LOCK_NAME", name);
        Process process;
        try {
            process = builder.start();
        } catch (java.io.IOException e) {
            System.err.println("courier lock: cannot run " + command + ": " + e.getMessage());
            return 1;
        }
        CountDownLatch done = new CountDownLatch(1);
        process.onExit().thenRun(done::countDown);
        grant.lost().thenRun(done::countDown);
        done.await();
        if (process.isAlive()) { // the lock was lost first
            System.err.println("courier lock: lost " + name + " (token " + grant.fencingToken()
                    + "): its session lapsed; stopping the command");
            process.destroy();
            if (!process.waitFor(killAfterSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
            return LOST;
        }
        return process.exitValue();
    }
}
