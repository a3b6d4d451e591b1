package dev.courier.mq.broker.internal;

import dev.courier.mq.broker.storage.Storage;
import dev.courier.mq.broker.storage.TopicLog;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The open transactions of a topic. A half message is stored in the topic's log with the broker's headers
 * {@value #TXN} and {@value #GROUP}, and subscriptions pass over it. A commit appends a copy of each (without
 * those headers, naming its original in {@value #FROM}), which subscriptions deliver; a rollback appends one
 * marker ({@value #ABORTED}), passed over as well.
 *
 * <p><b>Restarts.</b> Like {@link DelayQueue}: on open the log is scanned from a checkpoint ({@code
 * transactions/checkpoint}, below every half message of a transaction not ended), and a transaction is open
 * again if it has half messages without copies and no rollback marker. A commit whose copies were stored
 * before a crash is therefore not made twice, and one that was cut short is finished by the next check.
 *
 * <p>Thread-safe: its methods synchronize on it.
 */
final class Transactions implements HeldMessages {

    static final String TXN = "courier.txn";
    static final String GROUP = "courier.txn.group";
    static final String FROM = "courier.txn.from";
    static final String ABORTED = "courier.txn.aborted";
    static final String DIR = "transactions";

    /** An open transaction. */
    static final class Open {
        final String group;
        long[] offsets = new long[4];
        int size;
        long since;
        long lastCheck;
        int checks;
        boolean ending;

        Open(String group, long now) {
            this.group = group;
            this.since = now;
            this.lastCheck = now;
        }

        void add(long offset) {
            if (size == offsets.length) {
                offsets = java.util.Arrays.copyOf(offsets, size * 2);
            }
            offsets[size++] = offset;
        }

        long[] offsets() {
            return java.util.Arrays.copyOf(offsets, size);
        }
    }

    /** A transaction due for a check. */
    record Due(String transaction, String group, int messages, int check) {}

    private final Map<String, Open> open = new LinkedHashMap<>();
    private final OffsetCheckpoint checkpoint;

    private Transactions(Storage storage, Path topicDir) {
        this.checkpoint = new OffsetCheckpoint(storage, topicDir.resolve(DIR));
    }

    static boolean exists(Storage storage, Path topicDir) {
        return OffsetCheckpoint.exists(storage, topicDir.resolve(DIR));
    }

    static Transactions inMemory(Storage storage, Path topicDir) {
        return new Transactions(storage, topicDir);
    }

    /** Stores the new table's checkpoint, below its first half message; blocks on disk I/O. */
    @Override
    public void create(long firstOffset) throws IOException {
        checkpoint.moveTo(firstOffset);
    }

    /** The table of a topic that had one: scans {@code log} from the checkpoint (the broker's start). */
    static Transactions recover(Storage storage, Path topicDir, TopicLog log, long now) throws IOException {
        Transactions t = new Transactions(storage, topicDir);
        long from = Math.max(t.checkpoint.read(), log.startOffset());
        Set<Long> copied = new HashSet<>();
        Set<String> aborted = new HashSet<>();
        Map<String, Open> found = new LinkedHashMap<>();
        HeldMessages.scan(log, from, r -> {
            Map<String, String> h = r.headers();
            if (h.isEmpty()) {
                return;
            }
            String txn = h.get(TXN);
            if (txn != null) {
                found.computeIfAbsent(txn, k -> new Open(h.getOrDefault(GROUP, ""), now))
                        .add(r.offset());
            }
            String origin = h.get(FROM);
            if (origin != null) {
                try {
                    copied.add(Long.parseLong(origin));
                } catch (NumberFormatException e) {
                    // not a copy this broker wrote
                }
            }
            String abort = h.get(ABORTED);
            if (abort != null) {
                aborted.add(abort);
            }
        });
        synchronized (t) {
            for (Map.Entry<String, Open> e : found.entrySet()) {
                if (aborted.contains(e.getKey())) {
                    continue;
                }
                Open rest = new Open(e.getValue().group, now);
                for (long o : e.getValue().offsets()) {
                    if (!copied.contains(o)) {
                        rest.add(o);
                    }
                }
                if (rest.size > 0) {
                    t.open.put(e.getKey(), rest);
                }
            }
        }
        return t;
    }

    /** Half messages of {@code transaction} of {@code group} are durable at {@code offsets}. */
    synchronized void added(String transaction, String group, long[] offsets, long now) {
        Open o = open.computeIfAbsent(transaction, k -> new Open(group, now));
        for (long offset : offsets) {
            o.add(offset);
        }
    }

    /** Takes an open transaction to end it; null if there is none (or it is being ended). */
    synchronized Open take(String transaction) {
        Open o = open.get(transaction);
        if (o == null || o.ending) {
            return null;
        }
        o.ending = true;
        return o;
    }

    /** Ending it failed: it is open again. */
    synchronized void failedToEnd(String transaction) {
        Open o = open.get(transaction);
        if (o != null) {
            o.ending = false;
        }
    }

    synchronized void ended(String transaction) {
        open.remove(transaction);
    }

    /**
     * The open transactions not ended {@code intervalMillis} after they began or were last checked: each is
     * counted as checked once more.
     */
    synchronized List<Due> due(long now, long intervalMillis) {
        List<Due> out = new ArrayList<>();
        for (Map.Entry<String, Open> e : open.entrySet()) {
            Open o = e.getValue();
            if (!o.ending && now - o.lastCheck >= intervalMillis) {
                o.lastCheck = now;
                o.checks++;
                out.add(new Due(e.getKey(), o.group, o.size, o.checks));
            }
        }
        return out;
    }

    synchronized int openCount() {
        return open.size();
    }

    /** The lowest offset of a half message of an open transaction, or {@code end}. */
    @Override
    public synchronized long lowestHeld(long end) {
        long min = end;
        for (Open o : open.values()) {
            for (int i = 0; i < o.size; i++) {
                min = Math.min(min, o.offsets[i]);
            }
        }
        return min;
    }

    /** Moves the checkpoint to {@code lowest} if it changed (housekeeping; blocks on disk I/O). */
    @Override
    public void checkpoint(long lowest) throws IOException {
        checkpoint.moveTo(lowest);
    }
}
