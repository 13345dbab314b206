package dev.sluice.usage;

import java.util.Objects;

/**
 * A streamed request's body as it goes upstream, see {@link StreamOptions#requestUsage}.
 *
 * @param body            the bytes to send
 * @param usageChunkAdded true when Sluice asked for the usage chunk and the caller did not: the caller
 *                        must not see it, so {@link StreamUsageTap} has to strip it
 */
public record UsageRequestedBody(byte[] body, boolean usageChunkAdded) {

    public UsageRequestedBody {
        Objects.requireNonNull(body, "body");
    }
}
