package dev.sluice.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.vertx.http.runtime.filters.Filters;
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

    void register(@Observes Filters filters, AdminToken token, ObjectMapper mapper) throws JsonProcessingException {
        String notFound = mapper.writeValueAsString(ErrorBody.unknownUrl("GET", PATH));
        String unauthorized = mapper.writeValueAsString(AdminResource.unauthorized().body());
        filters.register(context -> {
            String path = context.request().path();
            if (path.equals(DASHBOARD) || path.startsWith(DASHBOARD + "/") && !path.startsWith("/admin/v1")) {
                // the dashboard's page: no secret in it (its data needs the token), but absent with the admin API
                if (!token.on()) {
                    context.response().setStatusCode(404).putHeader("Content-Type", "application/json").end(notFound);
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
                context.response().setStatusCode(404).putHeader("Content-Type", "application/json").end(notFound);
            } else if (!token.admits(context.request().getHeader("Authorization"))) {
                context.response().setStatusCode(401).putHeader("Content-Type", "application/json").end(unauthorized);
            } else {
                context.next();
            }
        }, PRIORITY);
    }
}
