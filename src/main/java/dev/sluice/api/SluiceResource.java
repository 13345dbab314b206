package dev.sluice.api;

import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import org.jboss.resteasy.reactive.RestResponse;

/** Sluice's own API for callers, beside OpenAI's: what a caller can learn about its own key. */
@Path("/sluice/v1")
@Produces(MediaType.APPLICATION_JSON)
public class SluiceResource {

    private final UsageViews usage;

    @Inject
    public SluiceResource(UsageViews usage) {
        this.usage = usage;
    }

    /** The caller's plan, what is left in each of its limits now, and its usage today and this month. */
    @GET
    @Path("/usage")
    public Uni<RestResponse<String>> usage(HttpHeaders headers) {
        return usage.ownUsage(headers);
    }
}
