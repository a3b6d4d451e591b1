package dev.courier.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

/** Command lines that are wrong before anything is contacted: exit 2 with the reason, no stack trace. */
class CliUsageTest {

    private record Run(int exit, String out, String err) {}

    private static Run run(Object command, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(command).setOut(new PrintWriter(out)).setErr(new PrintWriter(err));
        int exit = cli.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void anUnknownRegistrySchemeIsAUsageErrorNamingTheKnownOnes() {
        Run ls = run(new LsCommand(), "--registry", "etcd://127.0.0.1:2379");
        Run call = run(new CallCommand(), "--registry", "etcd://127.0.0.1:2379", "demo.Greeter/hello", "[]");
        for (Run r : new Run[] {ls, call}) {
            assertThat(r.exit()).as(r.err()).isEqualTo(2);
            assertThat(r.err())
                    .contains("--registry etcd://127.0.0.1:2379")
                    .contains("no registry for scheme 'etcd'")
                    .contains("zookeeper")
                    .doesNotContain("\tat ");
            assertThat(r.out()).isEmpty();
        }
    }

    @Test
    void lsWithoutARegistryAndCallWithoutATargetAreUsageErrors() {
        Run ls = run(new LsCommand(), "--address", "127.0.0.1:1");
        assertThat(ls.exit()).isEqualTo(2);
        assertThat(ls.err()).contains("give --registry URL (not --address)");

        Run call = run(new CallCommand(), "demo.Greeter/hello");
        assertThat(call.exit()).isEqualTo(2);
        assertThat(call.err()).contains("Give --registry URL or --address HOST:PORT");
    }
}
