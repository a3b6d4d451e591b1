package dev.courier.mq.broker.storage;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzzes segment recovery: a segment file made of valid records (built from the fuzzer's values)
 * and then damaged as the fuzzer chooses (bytes overwritten, garbage appended, the tail cut), opened
 * with {@link TopicLog#open} and read to the end with {@link TopicLog#read}. The property: open and
 * read throw nothing but {@link IOException} or {@link StorageException}; offsets read back strictly
 * increase; and unless the segment was quarantined, every record that lies wholly before the first
 * damaged byte is read back intact (recovery keeps the valid prefix).
 */
class TopicLogRecoveryFuzzTest {

    private record Written(long offset, int end, byte[] payload, Map<String, String> headers) {}

    @FuzzTest
    void recoveryKeepsTheValidPrefixAndReadsBackOnlyIncreasingOffsets(FuzzedDataProvider data) throws IOException {
        Path dir = Files.createTempDirectory("topic-log-fuzz");
        try {
            long base = data.consumeLong(0, 1L << 40);
            int count = data.consumeInt(0, 8);
            ByteBuffer file = ByteBuffer.allocate(1 << 16);
            List<Written> written = new ArrayList<>();
            long offset = base;
            for (int i = 0; i < count && file.remaining() > 2048; i++) {
                Map<String, String> headers = new LinkedHashMap<>();
                if (data.consumeBoolean()) {
                    headers.put(data.consumeString(8), data.consumeString(16));
                }
                byte[] payload = data.consumeBytes(data.consumeInt(0, 512));
                byte[] encoded = RecordFormat.encodeHeaders(headers);
                RecordFormat.write(
                        file,
                        offset,
                        data.consumeLong(),
                        data.consumeBoolean() ? data.consumeLong() : 0,
                        data.consumeLong(),
                        encoded,
                        payload);
                written.add(new Written(offset, file.position(), payload, headers));
                offset += data.consumeInt(1, 3);
            }
            int length = file.position();
            int firstDamage = length;
            int damages = data.consumeInt(0, 3);
            for (int i = 0; i < damages && length > 0; i++) {
                int at = data.consumeInt(0, length - 1);
                byte[] junk = data.consumeBytes(data.consumeInt(1, 16));
                for (int k = 0; k < junk.length && at + k < length; k++) {
                    if (file.get(at + k) != junk[k]) {
                        file.put(at + k, junk[k]);
                        firstDamage = Math.min(firstDamage, at + k);
                    }
                }
            }
            if (data.consumeBoolean()) {
                length = data.consumeInt(0, length);
                firstDamage = Math.min(firstDamage, length);
            }
            byte[] tail = data.consumeRemainingAsBytes();
            byte[] bytes = new byte[length + tail.length];
            file.get(0, bytes, 0, length);
            System.arraycopy(tail, 0, bytes, length, tail.length);
            Files.write(dir.resolve(String.format("%020d%s", base, Segment.SUFFIX)), bytes);

            List<StoredRecord> read = new ArrayList<>();
            boolean quarantined;
            try (TopicLog log = TopicLog.open("fuzz", dir, LogConfig.defaults())) {
                quarantined = log.recoveryReport().stream().anyMatch(line -> line.contains("quarantined"));
                long at = log.startOffset();
                while (true) {
                    List<StoredRecord> part = log.read(at, 64, 1 << 20);
                    if (part.isEmpty()) {
                        break;
                    }
                    for (StoredRecord r : part) {
                        if (!read.isEmpty()) {
                            assertThat(r.offset())
                                    .isGreaterThan(read.get(read.size() - 1).offset());
                        }
                        read.add(r);
                    }
                    at = part.get(part.size() - 1).offset() + 1;
                }
            } catch (IOException | StorageException | UncheckedIOException expected) {
                return;
            }
            if (quarantined) {
                return;
            }
            int intact = 0;
            while (intact < written.size() && written.get(intact).end() <= firstDamage) {
                intact++;
            }
            assertThat(read.size()).as("records read back").isGreaterThanOrEqualTo(intact);
            for (int i = 0; i < intact; i++) {
                assertThat(read.get(i).offset()).isEqualTo(written.get(i).offset());
                assertThat(read.get(i).payload()).isEqualTo(written.get(i).payload());
                assertThat(read.get(i).headers()).isEqualTo(written.get(i).headers());
            }
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }
}
