package dev.courier.cli;

import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * A {@code SERVICE/METHOD} argument of {@code courier call} and {@code courier bench call}: split at the
 * last slash before the parameter types, if any ({@code demo.UserService/find(java.lang.String)}).
 */
public record ServiceMethod(String service, String method) {

    /** {@code target} split; a usage error of {@code commandLine} when it is not SERVICE/METHOD. */
    public static ServiceMethod parse(String target, CommandLine commandLine) {
        int paren = target.indexOf('(');
        int slash = target.lastIndexOf('/', paren < 0 ? target.length() - 1 : paren);
        if (slash <= 0 || slash == target.length() - 1) {
            throw new ParameterException(commandLine, "Expected SERVICE/METHOD, not '" + target + "'");
        }
        return new ServiceMethod(target.substring(0, slash), target.substring(slash + 1));
    }
}
