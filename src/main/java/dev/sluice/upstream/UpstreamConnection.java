package dev.sluice.upstream;

import dev.sluice.config.SluiceSettings;
import dev.sluice.config.UpstreamSettings;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.net.ProxyOptions;
import io.vertx.core.net.ProxyType;

import java.time.Duration;
import java.util.Optional;

/**
 * How one upstream is reached: the connection settings of its HTTP client ({@link UpstreamHttp}).
 *
 * @param connectTimeout longest wait for a connection
 * @param replyTimeout   longest wait for a whole reply, or between two chunks of a stream
 * @param maxConnections connections kept to the upstream
 * @param proxy          the egress proxy a company requires, if any
 */
record UpstreamConnection(Duration connectTimeout, Duration replyTimeout, int maxConnections,
        Optional<UpstreamSettings.Proxy> proxy) {

    static UpstreamConnection of(UpstreamSettings upstream, SluiceSettings settings) {
        SluiceSettings.Connections connections = settings.connections();
        return new UpstreamConnection(connections.connectTimeout(), connections.replyTimeout(), connections.maxConnections(),
                upstream.proxy());
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
