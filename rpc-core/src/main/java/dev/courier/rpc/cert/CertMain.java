package dev.courier.rpc.cert;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code courier cert init|issue}: a development CA ({@link DevCa}).
 *
 * <pre>
 *   courier cert init --dir DIR          writes DIR/ca.pem and DIR/ca-key.pem
 *   courier cert issue NAME --dir DIR    writes DIR/NAME.pem and DIR/NAME-key.pem signed by that CA
 * </pre>
 */
@Command(
        name = "cert",
        mixinStandardHelpOptions = true,
        description = "A development certificate authority.",
        subcommands = {CertMain.Init.class, CertMain.Issue.class})
public final class CertMain {

    /** Exit code when the files cannot be written or read. */
    static final int EXIT_FAILED = 1;

    @Command(
            name = "init",
            mixinStandardHelpOptions = true,
            description = "Creates a CA: DIR/ca.pem and DIR/ca-key.pem.")
    static final class Init implements Callable<Integer> {
        @Option(names = "--dir", required = true, description = "Directory of the CA (created if missing).")
        Path dir;

        @Override
        public Integer call() {
            try {
                DevCa ca = DevCa.init(dir);
                System.out.println(
                        "courier cert: CA written to " + ca.certificate() + " and " + dir.resolve(DevCa.CA_KEY));
                return 0;
            } catch (FileAlreadyExistsException e) {
                System.err.println("courier cert: " + dir + " already holds a CA; issue certificates with"
                        + " 'courier cert issue NAME --dir " + dir + "' or choose another directory");
                return EXIT_FAILED;
            } catch (IOException e) {
                System.err.println("courier cert: " + e.getMessage());
                return EXIT_FAILED;
            }
        }
    }

    @Command(
            name = "issue",
            mixinStandardHelpOptions = true,
            description = "Issues DIR/NAME.pem and DIR/NAME-key.pem (SAN localhost, 127.0.0.1; CN=NAME).")
    static final class Issue implements Callable<Integer> {
        @Parameters(index = "0", description = "The certificate's name (its CN, the client's principal).")
        String name;

        @Option(names = "--dir", required = true, description = "Directory of the CA made by 'cert init'.")
        Path dir;

        @Override
        public Integer call() {
            try {
                DevCa.Issued issued = DevCa.load(dir).issue(name);
                System.out.println("courier cert: " + issued.certificate() + " and " + issued.privateKey()
                        + " issued to CN=" + name);
                return 0;
            } catch (IOException | IllegalArgumentException e) {
                System.err.println("courier cert: " + e.getMessage());
                return EXIT_FAILED;
            }
        }
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new CertMain()).execute(args));
    }
}
