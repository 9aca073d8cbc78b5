package dev.streamscribe.cli;

import dev.streamscribe.config.ConfigException;
import picocli.CommandLine;

/**
 * Turns expected failures into one clear line on stderr and exit code 2 (configuration or option values that make
 * no sense) or 1 (anything else).
 */
final class ErrorHandler implements CommandLine.IExecutionExceptionHandler {
    static final int CONFIG_ERROR = 2;

    @Override
    public int handleExecutionException(Exception e, CommandLine commandLine, CommandLine.ParseResult parseResult) {
        if (e instanceof ConfigException config) {
            commandLine.getErr().println("streamscribe: configuration error: " + config.getMessage());
            return CONFIG_ERROR;
        }
        if (e instanceof IllegalArgumentException invalid) {
            commandLine.getErr().println("streamscribe: invalid options: " + invalid.getMessage());
            return CONFIG_ERROR;
        }
        commandLine.getErr().println("streamscribe: " + e.getMessage());
        return 1;
    }
}
