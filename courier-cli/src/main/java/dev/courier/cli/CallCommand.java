package dev.courier.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.courier.registry.Registry;
import dev.courier.rpc.RpcClient;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/**
 * {@code courier call}: one generic call of a service whose interface this tool does not have, like
 * grpcurl. The result is printed as JSON; the exit code says how the call ended ({@link CallOutcome}).
 */
@Command(
        name = "courier call",
        sortOptions = false,
        description = "Calls METHOD of SERVICE with the JSON array JSON-ARGS (one element per parameter) and prints"
                + " the result as JSON. The provider builds POJO arguments from JSON objects and java.time values"
                + " from ISO-8601 strings; an overloaded METHOD takes its parameter types: find(java.lang.String).",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            " 0:the call returned",
            " 2:usage error",
            " 3:the method threw (remote exception)",
            " 4:no such service or method",
            " 5:the arguments do not fit the method",
            " 6:deadline exceeded",
            " 7:no provider reachable",
            " 8:refused (busy, rate limited)",
            " 9:unauthenticated",
            "10:permission denied",
            "11:registry unreachable",
            "12:other failure"
        })
public final class CallCommand implements Callable<Integer> {

    static final ObjectMapper PRETTY = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions options;

    @Option(
            names = {"-h", "--help"},
            usageHelp = true,
            description = "Show this help.")
    boolean help;

    @Parameters(
            index = "0",
            paramLabel = "SERVICE/METHOD",
            description = "For example demo.UserService/getUser or demo.UserService/find(java.lang.String).")
    String target;

    @Parameters(
            index = "1",
            arity = "0..1",
            paramLabel = "JSON-ARGS",
            defaultValue = "[]",
            description = "A JSON array of the arguments (default: []).")
    String arguments;

    @Override
    public Integer call() {
        options.requireTarget();
        ServiceMethod call = ServiceMethod.parse(target, spec.commandLine());
        String service = call.service();
        String method = call.method();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (Registry registry = options.connectRegistry();
                RpcClient client = options.rpcClient(registry)) {
            String json = options.generic(client).invokeJson(service, method, arguments);
            out.println(pretty(json));
            out.flush();
            return 0;
        } catch (ParameterException e) {
            throw e;
        } catch (RuntimeException e) {
            CallOutcome outcome = CallOutcome.of(e);
            err.println("courier call: " + outcome.label() + ": " + e.getMessage());
            err.flush();
            return outcome.exitCode();
        }
    }

    /** {@code json} indented; as it came if it does not parse. */
    static String pretty(String json) {
        try {
            return PRETTY.writeValueAsString(PRETTY.readTree(json));
        } catch (JsonProcessingException e) {
            return json;
        }
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new CallCommand()).execute(args));
    }
}
