package dev.sluice.api;

import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * The admin API's OpenAPI description ({@value #PATH}, served by SmallRye OpenAPI from
 * META-INF/openapi.yaml) is the admin API's: absent (404) when it is off, for the admin token only when on.
 * The dashboard's page ({@value #DASHBOARD}/) is there only when the admin API is on; it asks for the token.
 */
@ApplicationScoped
public class AdminSpecGuard {

    /** quarkus.smallrye-openapi.path in application.properties. */
    static final String PATH = "/admin/v1/openapi";
    /** The dashboard's page and its scripts (META-INF/resources/admin). */
    static final String DASHBOARD = "/admin";
    /** Before SmallRye OpenAPI's handler and RESTEasy. */
    private static final int PRIORITY = 90;

    void register(@Observes Filters filters, AdminToken token, EdgeErrors errors) {
        ErrorBody unauthorized = AdminResource.unauthorized().body();
        filters.register(context -> {
            HttpServerRequest request = context.request();
            String path = context.request().path();
            if (path.equals(DASHBOARD) || path.startsWith(DASHBOARD + "/") && !path.startsWith("/admin/v1")) {
                // the dashboard's page: no secret in it (its data needs the token), but absent with the admin API
                if (!token.on()) {
                    errors.answer(request, 404, ErrorBody.unknownUrl(request.method().name(), path));
                } else if (path.equals(DASHBOARD)) {
                    context.response().setStatusCode(302).putHeader("Location", DASHBOARD + "/").end();
                } else {
                    context.next();
                }
                return;
            }
            if (!path.equals(PATH) && !path.startsWith(PATH + "/") && !path.startsWith(PATH + "?")) {
                context.next();
                return;
            }
            if (!token.on()) {
                errors.answer(request, 404, ErrorBody.unknownUrl(request.method().name(), path));
            } else if (!token.admits(request.getHeader("Authorization"))) {
                errors.answer(request, 401, unauthorized);
            } else {
                context.next();
            }
        }, PRIORITY);
    }
}
