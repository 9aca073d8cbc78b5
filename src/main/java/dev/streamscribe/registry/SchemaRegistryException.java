package dev.streamscribe.registry;

/**
 * A schema registry call failed. Subclasses name the cause; {@link #errorCode()} carries the Confluent error code
 * (40401, 40403, 409, 42201, ...) when the registry sent one, otherwise the HTTP status or -1.
 */
public class SchemaRegistryException extends RuntimeException {
    private final int httpStatus;
    private final int errorCode;

    public SchemaRegistryException(String message, int httpStatus, int errorCode, Throwable cause) {
        super(message, cause);
        this.httpStatus = httpStatus;
        this.errorCode = errorCode;
    }

    public SchemaRegistryException(String message, int httpStatus, int errorCode) {
        this(message, httpStatus, errorCode, null);
    }

    /** HTTP status of the failed call, or -1 when no response arrived. */
    public int httpStatus() {
        return httpStatus;
    }

    /** Confluent error code from the response body, or the HTTP status when the body had none, or -1. */
    public int errorCode() {
        return errorCode;
    }

    /** 40401: the subject does not exist. */
    public static final class SubjectNotFoundException extends SchemaRegistryException {
        public SubjectNotFoundException(String message, int httpStatus, int errorCode) {
            super(message, httpStatus, errorCode);
        }
    }

    /** 40402: the subject has no such version. */
    public static final class VersionNotFoundException extends SchemaRegistryException {
        public VersionNotFoundException(String message, int httpStatus, int errorCode) {
            super(message, httpStatus, errorCode);
        }
    }

    /** 40403: no schema with that id, or the schema is not registered under the subject. */
    public static final class SchemaNotFoundException extends SchemaRegistryException {
        public SchemaNotFoundException(String message, int httpStatus, int errorCode) {
            super(message, httpStatus, errorCode);
        }
    }

    /** 409: the schema breaks the subject's compatibility rule (BACKWARD here). */
    public static final class IncompatibleSchemaException extends SchemaRegistryException {
        public IncompatibleSchemaException(String message, int httpStatus, int errorCode) {
            super(message, httpStatus, errorCode);
        }
    }

    /** 42201/42202/422xx: the schema, version or compatibility level is invalid. */
    public static final class InvalidSchemaException extends SchemaRegistryException {
        public InvalidSchemaException(String message, int httpStatus, int errorCode) {
            super(message, httpStatus, errorCode);
        }
    }

    /**
     * The registry cannot answer properly: down, slow, 5xx, or an answer that is not a schema registry's (a proxy
     * page, a 404 without a registry error code, a body that is not JSON). An outage, not bad data: callers retry
     * with backoff, and records that fail with this are never dead-lettered.
     */
    public static sealed class RegistryUnavailableException extends SchemaRegistryException
            permits RegistryAuthenticationException {
        public RegistryUnavailableException(String message, int httpStatus, int errorCode, Throwable cause) {
            super(message, httpStatus, errorCode, cause);
        }
    }

    /**
     * 401/403: credentials missing or refused, as after a password rotation. Retried as an outage (the records are
     * good; the fix is the credentials), and named apart in messages so the operator knows what to fix.
     */
    public static final class RegistryAuthenticationException extends RegistryUnavailableException {
        public RegistryAuthenticationException(String message, int httpStatus, int errorCode) {
            super(message, httpStatus, errorCode, null);
        }
    }

    /** Auto-registration is off and the schema is not pre-registered under the subject. */
    public static final class SchemaNotRegisteredException extends SchemaRegistryException {
        public SchemaNotRegisteredException(String message) {
            super(message, 404, 40403);
        }
    }
}
