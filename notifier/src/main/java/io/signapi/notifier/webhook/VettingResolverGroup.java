package io.signapi.notifier.webhook;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;

import io.netty.resolver.AbstractAddressResolver;
import io.netty.resolver.AddressResolver;
import io.netty.resolver.AddressResolverGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Promise;
import io.signapi.common.net.InternalAddresses;

/**
 * Resolves webhook hosts off the event loop (on virtual threads) and vets every address found with
 * {@link InternalAddresses}: a host with any internal address is refused unless {@code webhook.allow-private}. The
 * connection then goes to the vetted address itself, so there is no second lookup that could answer differently;
 * the address keeps the host name, so TLS SNI and {@code Host} are unchanged. Literal addresses are vetted too.
 */
final class VettingResolverGroup extends AddressResolverGroup<InetSocketAddress> {

    private final boolean allowPrivate;
    private final ExecutorService lookups = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("webhook-dns-", 0).factory());

    VettingResolverGroup(boolean allowPrivate) {
        this.allowPrivate = allowPrivate;
    }

    @Override
    protected AddressResolver<InetSocketAddress> newResolver(EventExecutor executor) {
        return new VettingResolver(executor);
    }

    @Override
    public void close() {
        super.close();
        lookups.shutdownNow();
    }

    /** The addresses of {@code host} (a name or a literal), in resolver order, after vetting. */
    List<InetAddress> vetted(String host) throws UnknownHostException {
        InetAddress[] all = InternalAddresses.literal(host)
                .map(literal -> new InetAddress[] {literal})
                .orElse(null);
        if (all == null) {
            all = InetAddress.getAllByName(host);
        }
        List<InetAddress> addresses = new ArrayList<>(all.length);
        for (InetAddress address : all) {
            if (!allowPrivate && InternalAddresses.isInternal(address)) {
                throw new RefusedAddressException(host, address);
            }
            // Keep the name with the address: no second lookup, and SNI/Host still see the name.
            addresses.add(InetAddress.getByAddress(host, address.getAddress()));
        }
        return addresses;
    }

    private final class VettingResolver extends AbstractAddressResolver<InetSocketAddress> {

        VettingResolver(EventExecutor executor) {
            super(executor, InetSocketAddress.class);
        }

        /** Nothing counts as resolved, so literal addresses are vetted as well. */
        @Override
        protected boolean doIsResolved(InetSocketAddress address) {
            return false;
        }

        @Override
        protected void doResolve(InetSocketAddress address, Promise<InetSocketAddress> promise) {
            lookup(address, promise, true);
        }

        @Override
        protected void doResolveAll(InetSocketAddress address, Promise<List<InetSocketAddress>> promise) {
            lookup(address, promise, false);
        }

        @SuppressWarnings("unchecked")
        private <T> void lookup(InetSocketAddress address, Promise<T> promise, boolean first) {
            String host = address.getHostString();
            int port = address.getPort();
            try {
                lookups.execute(() -> {
                    try {
                        List<InetSocketAddress> resolved = vetted(host).stream()
                                .map(a -> new InetSocketAddress(a, port))
                                .toList();
                        promise.trySuccess((T) (first ? resolved.getFirst() : resolved));
                    } catch (UnknownHostException | RuntimeException e) {
                        promise.tryFailure(e);
                    }
                });
            } catch (RejectedExecutionException e) {
                promise.tryFailure(e);
            }
        }

        @Override
        public boolean isSupported(SocketAddress address) {
            return address instanceof InetSocketAddress;
        }
    }
}
