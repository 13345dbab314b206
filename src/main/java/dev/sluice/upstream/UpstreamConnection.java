package dev.sluice.upstream;

import dev.sluice.config.SluiceSettings;
import dev.sluice.config.UpstreamSettings;
import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.net.ProxyOptions;
import io.vertx.core.net.ProxyType;
import org.jboss.resteasy.reactive.client.api.QuarkusRestClientProperties;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * How one upstream is reached: the connection settings both of its HTTP clients apply, the REST
 * Client for whole replies and Vert.x's client for streams ({@link UpstreamCaller} says why two),
 * side by side so that neither can drift from the other.
 *
 * @param connectTimeout longest wait for a connection
 * @param replyTimeout   longest wait for a whole reply, or between two chunks of a stream
 * @param maxConnections connections kept to the upstream, per client
 * @param proxy          the egress proxy a company requires, if any
 */
record UpstreamConnection(Duration connectTimeout, Duration replyTimeout, int maxConnections,
        Optional<UpstreamSettings.Proxy> proxy) {

    static UpstreamConnection of(UpstreamSettings upstream, SluiceSettings settings) {
        SluiceSettings.Connections connections = settings.connections();
        return new UpstreamConnection(connections.connectTimeout(), connections.replyTimeout(), connections.maxConnections(),
                upstream.proxy());
    }

    QuarkusRestClientBuilder applyTo(QuarkusRestClientBuilder builder) {
        builder.connectTimeout(connectTimeout.toMillis(), TimeUnit.MILLISECONDS)
                .readTimeout(replyTimeout.toMillis(), TimeUnit.MILLISECONDS)
                .property(QuarkusRestClientProperties.CONNECTION_POOL_SIZE, maxConnections)
                .followRedirects(false);
        proxy.ifPresent(proxy -> {
            builder.proxyAddress(proxy.host(), proxy.port());
            proxy.username().ifPresent(builder::proxyUser);
            proxy.password().ifPresent(password -> builder.proxyPassword(password.value()));
        });
        return builder;
    }

    HttpClientOptions httpClientOptions(boolean ssl) {
        HttpClientOptions options = new HttpClientOptions()
                .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()))
                .setMaxPoolSize(maxConnections)
                .setSsl(ssl)
                .setVerifyHost(true)
                .setKeepAlive(true);
        proxy.ifPresent(proxy -> {
            // plain HTTP upstreams are asked of the proxy in absolute form; TLS ones are tunnelled with CONNECT
            ProxyOptions proxyOptions = new ProxyOptions().setType(ProxyType.HTTP).setHost(proxy.host()).setPort(proxy.port());
            proxy.username().ifPresent(proxyOptions::setUsername);
            proxy.password().ifPresent(password -> proxyOptions.setPassword(password.value()));
            options.setProxyOptions(proxyOptions);
        });
        return options;
    }
}
