package io.signapi.gateway.load;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.SingleThreadEventExecutor;
import reactor.netty.Connection;
import reactor.netty.http.server.HttpServer;

/**
 * Takes each request's arrival time as early as the server can: when its connection was accepted (the first
 * request) or when the first bytes of the next request were read, at the head of the channel's pipeline. The
 * gateway's first filter measures the request's queueing from it. Also registers each server event loop's pending
 * tasks as {@code reactor.netty.eventloop.pending.tasks}, as Reactor Netty's own metrics would, without their
 * per-request meters.
 */
@Component
class Arrivals implements NettyServerCustomizer {

    private static final AttributeKey<Stamp> ARRIVAL = AttributeKey.valueOf("gateway.arrival");
    private static final String HANDLER = "gateway.arrival";
    private static final ChannelHandler STAMPER = new Stamper();

    private final MeterRegistry registry;
    private final Set<EventLoop> measuredLoops = ConcurrentHashMap.newKeySet();

    Arrivals(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public HttpServer apply(HttpServer server) {
        return server.doOnChannelInit((observer, channel, remoteAddress) -> {
            channel.attr(ARRIVAL).set(new Stamp(System.nanoTime()));
            channel.pipeline().addFirst(HANDLER, STAMPER);
            measure(channel.eventLoop());
        });
    }

    /**
     * The arrival of the exchange's request in {@link System#nanoTime()} terms, taken from its connection (and
     * consumed: the next bytes read on it start the next request), or -1 when the request came by no channel of
     * this server (a mock exchange).
     */
    static long take(ServerWebExchange exchange) {
        Object nativeRequest;
        try {
            nativeRequest = ServerHttpRequestDecorator.getNativeRequest(exchange.getRequest());
        } catch (IllegalArgumentException | IllegalStateException e) {
            // A mock request has no native one.
            return -1;
        }
        if (!(nativeRequest instanceof Connection connection)) {
            return -1;
        }
        Stamp stamp = connection.channel().attr(ARRIVAL).get();
        if (stamp == null || stamp.nanos == 0) {
            return -1;
        }
        long arrival = stamp.nanos;
        stamp.nanos = 0;
        return arrival;
    }

    private void measure(EventLoop loop) {
        if (loop instanceof SingleThreadEventExecutor executor && measuredLoops.add(loop)) {
            // Channel initialisation runs on the channel's own event loop, so this is the loop's thread name.
            String name = loop.inEventLoop() ? Thread.currentThread().getName() : "event-loop-" + measuredLoops.size();
            Gauge.builder("reactor.netty.eventloop.pending.tasks", executor, SingleThreadEventExecutor::pendingTasks)
                    .description("Tasks waiting to run on a server event loop")
                    .tag("name", name)
                    .register(registry);
        }
    }

    /** The arrival of a connection's current request; read and written on the connection's event loop only. */
    private static final class Stamp {
        long nanos;

        Stamp(long nanos) {
            this.nanos = nanos;
        }
    }

    /** Stamps the first read of each request: the connection's stamp is empty once its last request was taken. */
    @ChannelHandler.Sharable
    private static final class Stamper extends ChannelInboundHandlerAdapter {

        @Override
        public void channelRead(ChannelHandlerContext context, Object message) {
            Channel channel = context.channel();
            Stamp stamp = channel.attr(ARRIVAL).get();
            if (stamp != null && stamp.nanos == 0) {
                stamp.nanos = System.nanoTime();
            }
            context.fireChannelRead(message);
        }
    }
}
