package dev.courier.benchmark.chaos;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class HistoryTest {

    @TempDir
    Path dir;

    @Test
    void readsWhatTheClientsWroteAndDropsATornLastLine() throws Exception {
        try (HistoryWriter p = new HistoryWriter(dir.resolve(History.producerFile(0)))) {
            p.line("S p0-0");
            p.line("S p0-1");
            p.line("A p0-0 17");
            p.line("S p0-2");
            p.line("F p0-2");
        }
        Files.writeString(dir.resolve(History.producerFile(1)), "S p1-0\nA p1-0 20\nS p1-");
        try (HistoryWriter c = new HistoryWriter(dir.resolve(History.consumerFile("s0", 0)))) {
            c.line("D p0-0 30 1");
            c.line("D p1-0 31 1");
        }
        Files.writeString(dir.resolve(History.consumerFile("s0", 1)), "D p0-0 40 2\nD p0-");

        History h = History.read(dir, List.of("s0", "s1"));

        assertThat(h.attempted()).containsExactlyInAnyOrder("p0-0", "p0-1", "p0-2", "p1-0");
        assertThat(h.acknowledged()).containsOnlyKeys("p0-0", "p1-0").containsEntry("p0-0", 17L);
        assertThat(h.failed()).containsExactly("p0-2");
        assertThat(h.deliveries()).containsOnlyKeys("s0", "s1");
        assertThat(h.deliveries().get("s0")).containsExactlyInAnyOrder("p0-0", "p1-0", "p0-0");
        assertThat(h.deliveries().get("s1")).isEmpty();
        assertThat(h.ackTimes()).containsExactly(17, 20);
    }

    @Test
    void aPayloadCarriesItsIdUpToTheFirstBar() {
        assertThat(ChaosClients.idOf(ChaosClients.payload("p2-41", 256))).isEqualTo("p2-41");
        assertThat(ChaosClients.payload("p2-41", 256)).hasSize(256);
        assertThat(ChaosClients.idOf("no bar here".getBytes(java.nio.charset.StandardCharsets.US_ASCII)))
                .startsWith("?6e6f");
    }
}
