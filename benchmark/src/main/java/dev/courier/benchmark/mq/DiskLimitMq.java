package dev.courier.benchmark.mq;

import org.HdrHistogram.Histogram;

import java.nio.file.Path;

/** {@link DiskLimit} as a system: the physical limit, printed as {@code system=disk-limit}. */
final class DiskLimitMq implements MqSystem {

    private DiskLimit disk;

    @Override
    public String name() {
        return "disk-limit";
    }

    @Override
    public void start(Path dataDir) throws Exception {
        disk = new DiskLimit(dataDir.resolve("append.log"));
    }

    @Override
    public void publishDurably(byte[] payload) throws Exception {
        disk.appendDurably(payload);
    }

    @Override
    public Histogram startEndToEnd() {
        return null;
    }

    @Override
    public void close() throws java.io.IOException {
        if (disk != null) {
            disk.close();
        }
    }
}
