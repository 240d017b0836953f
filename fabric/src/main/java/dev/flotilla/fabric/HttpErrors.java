package dev.flotilla.fabric;

import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import dev.flotilla.migrate.url.DatabaseUrl;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Maps Flotilla's error codes to HTTP statuses once, and writes JSON responses. */
public final class HttpErrors {
    private static final Logger LOG = LoggerFactory.getLogger(HttpErrors.class);

    private HttpErrors() {
    }

    public static void json(RoutingContext ctx, int status, JsonObject body) {
        ctx.response().setStatusCode(status).putHeader("content-type", "application/json").end(body.encode());
    }

    /** Answers a failure: 4xx with the message for a user error, 500 for a bug. Never a secret. */
    public static void fail(RoutingContext ctx, Throwable e) {
        if (e instanceof FlotillaException) {
            FlotillaException fe = (FlotillaException) e;
            json(ctx, status(fe.code()), new JsonObject().put("error", DatabaseUrl.redact(fe.getMessage()))
                    .put("code", fe.code().name()));
            return;
        }
        LOG.error("request {} {} failed", ctx.request().method(), ctx.request().path(), e);
        json(ctx, 500, new JsonObject().put("error", "internal error: " + e.getClass().getSimpleName())
                .put("code", ErrorCode.INTERNAL.name()));
    }

    static int status(ErrorCode code) {
        switch (code) {
            case DIRECTORY_INVALID:
            case CHECKSUM_MISMATCH:
            case SQL_PARSE_ERROR:
            case URL_INVALID:
            case CONFIG_INVALID:
            case REQUEST_INVALID:
                return 400;
            case UNAUTHENTICATED:
                return 401;
            case FORBIDDEN:
                return 403;
            case CONNECTION_FAILED:
            case LOCK_TIMEOUT:
                return 503;
            case NOT_FOUND:
                return 404;
            case INTERNAL:
                return 500;
            default:
                return 422;
        }
    }
}
