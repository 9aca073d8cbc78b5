package dev.streamscribe.config;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import org.slf4j.LoggerFactory;

import java.util.Locale;
import java.util.Optional;

/**
 * The log format (log.format): {@code text}, lines for people, or {@code json}, one JSON object per line from
 * logback's own {@link JsonEncoder} (level, thread, logger, formatted message, throwable, and the MDC with
 * {@code session_id} and {@code run_token} on every line about a session) for log pipelines. The packaged
 * logback.xml writes text; {@code main} applies STREAMSCRIBE_LOG_FORMAT before anything logs, so even the first
 * lines follow it, and a command applies the definition's or a flag's value once it has read it.
 */
public enum LogFormat {
    TEXT, JSON;

    public static Optional<LogFormat> fromId(String id) {
        return switch (id.strip().toLowerCase(Locale.ROOT)) {
            case "text" -> Optional.of(TEXT);
            case "json" -> Optional.of(JSON);
            default -> Optional.empty();
        };
    }

    /** The format STREAMSCRIBE_LOG_FORMAT names, if it names one (a wrong value is reported by the configuration). */
    public static Optional<LogFormat> fromEnvironment(java.util.Map<String, String> env) {
        return Optional.ofNullable(env.get(ConfigLoader.envNameOf("log.format"))).flatMap(LogFormat::fromId);
    }

    /** Makes the root logger write this format to standard error, unless it already does. */
    public void apply() {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return; // another SLF4J backend (tests may bind one): it has its own configuration
        }
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        String wanted = name().toLowerCase(Locale.ROOT);
        if (root.getAppender(wanted) != null) {
            return;
        }
        ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
        appender.setContext(context);
        appender.setName(wanted);
        appender.setTarget("System.err");
        appender.setEncoder(this == JSON ? jsonEncoder(context) : textEncoder(context));
        appender.start();
        root.detachAndStopAllAppenders();
        root.addAppender(appender);
    }

    private static Encoder<ILoggingEvent> textEncoder(LoggerContext context) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%d{HH:mm:ss.SSS} %-5level [%thread] %logger{30} - %msg%n");
        encoder.start();
        return encoder;
    }

    private static Encoder<ILoggingEvent> jsonEncoder(LoggerContext context) {
        JsonEncoder encoder = new JsonEncoder();
        encoder.setContext(context);
        encoder.setWithFormattedMessage(true);
        encoder.setWithMessage(false);
        encoder.setWithArguments(false);
        encoder.setWithSequenceNumber(false);
        encoder.setWithNanoseconds(false);
        encoder.setWithContext(false);
        encoder.start();
        return encoder;
    }
}
