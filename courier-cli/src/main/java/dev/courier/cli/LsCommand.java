package dev.courier.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.courier.registry.Registry;
import dev.courier.registry.RegistryException;
import dev.courier.registry.ServiceInstance;
import dev.courier.registry.ServiceKey;
import dev.courier.registry.ServiceSnapshot;
import dev.courier.rpc.RpcClient;
import dev.courier.rpc.RpcException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/**
 * {@code courier ls}: the services a registry lists, each with its version and group, its methods with
 * their signatures and the fields of their types (asked of one of its providers), and its providers
 * with weight and tags.
 */
@Command(
        name = "courier ls",
        sortOptions = false,
        description = "Lists the services of a registry (or SERVICE alone): version, group, methods with signatures"
                + " and the fields of their types (from one provider), and providers with weight and tags.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {" 0:listed", " 2:usage error", " 4:SERVICE is not in the registry", "11:registry unreachable"})
public final class LsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions options;

    @Option(
            names = {"-h", "--help"},
            usageHelp = true,
            description = "Show this help.")
    boolean help;

    @Option(names = "--json", description = "Print one JSON document instead of text.")
    boolean json;

    @Parameters(
            arity = "0..1",
            paramLabel = "SERVICE",
            description = "An interface name (every version and group of it), or group/interface:version.")
    String service;

    @Override
    public Integer call() {
        if (options.registry == null || options.address != null) {
            throw new ParameterException(
                    spec.commandLine(),
                    "courier ls lists a registry: give --registry URL"
                            + (options.address != null ? " (not --address)" : ""));
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (Registry registry = options.connectRegistry();
                RpcClient client = options.rpcClient(registry)) {
            List<ServiceKey> keys = registry.services().stream()
                    .filter(this::selected)
                    .sorted(Comparator.comparing(ServiceKey::canonical))
                    .toList();
            if (service != null && keys.isEmpty()) {
                err.println("courier ls: not_found: no service " + service + " in " + options.registry);
                err.flush();
                return CallOutcome.NOT_FOUND.exitCode();
            }
            List<Map<String, Object>> listed = new ArrayList<>();
            for (ServiceKey key : keys) {
                listed.add(describe(registry, client, key));
            }
            if (json) {
                out.println(CallCommand.PRETTY.writeValueAsString(listed));
            } else {
                listed.forEach(s -> print(out, s));
            }
            out.flush();
            return 0;
        } catch (RegistryException e) {
            err.println("courier ls: registry: " + e.getMessage());
            err.flush();
            return CallOutcome.REGISTRY.exitCode();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private boolean selected(ServiceKey key) {
        return service == null
                || key.interfaceName().equals(service)
                || key.canonical().equals(service);
    }

    /** One service as plain values: key, providers, and the description one of them gives (or why not). */
    private Map<String, Object> describe(Registry registry, RpcClient client, ServiceKey key) {
        ServiceSnapshot snapshot = registry.list(key);
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("service", key.interfaceName());
        s.put("version", key.version());
        s.put("group", key.group());
        List<Map<String, Object>> providers = new ArrayList<>();
        for (ServiceInstance i : snapshot.instances()) {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("address", i.address());
            p.put("weight", i.weight());
            p.put("tags", List.copyOf(i.tags()));
            p.put("metadata", i.metadata());
            providers.add(p);
        }
        s.put("providers", providers);
        if (providers.isEmpty()) {
            s.put("error", "no provider to describe it");
            return s;
        }
        try {
            Map<String, Object> d =
                    options.generic(client, key.version(), key.group()).describe(key.interfaceName());
            s.put("methods", d.get("methods"));
            s.put("types", d.get("types"));
        } catch (RpcException e) {
            s.put("error", CallOutcome.of(e).label() + ": " + e.getMessage());
        }
        return s;
    }

    @SuppressWarnings("unchecked")
    private static void print(PrintWriter out, Map<String, Object> s) {
        List<Map<String, Object>> providers = (List<Map<String, Object>>) s.get("providers");
        out.println(s.get("service") + "  version " + s.get("version") + "  group " + s.get("group") + "  "
                + providers.size() + (providers.size() == 1 ? " provider" : " providers"));
        if (s.containsKey("methods")) {
            out.println("  methods");
            for (Map<String, Object> m : (List<Map<String, Object>>) s.get("methods")) {
                String params = ((List<Map<String, Object>>) m.get("parameters"))
                        .stream().map(p -> p.get("type") + " " + p.get("name")).collect(Collectors.joining(", "));
                out.println("    " + m.get("returns") + " " + m.get("name") + "(" + params + ")"
                        + (Boolean.TRUE.equals(m.get("async")) ? "  async" : "")
                        + (Boolean.TRUE.equals(m.get("idempotent")) ? "  idempotent" : ""));
            }
            Map<String, Map<String, Object>> types = (Map<String, Map<String, Object>>) s.get("types");
            if (!types.isEmpty()) {
                out.println("  types");
                types.forEach((name, t) -> out.println("    " + name + " "
                        + ("enum".equals(t.get("kind"))
                                ? "enum " + t.get("values")
                                : ((Map<String, Object>) t.get("fields"))
                                        .entrySet().stream()
                                                .map(f -> f.getKey() + ": " + f.getValue())
                                                .collect(Collectors.joining(", ", "{", "}")))));
            }
        }
        if (s.containsKey("error")) {
            out.println("  methods unknown: " + s.get("error"));
        }
        out.println("  providers");
        for (Map<String, Object> p : providers) {
            out.println("    " + p.get("address") + "  weight " + p.get("weight") + "  tags " + p.get("tags"));
        }
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new LsCommand()).execute(args));
    }
}
