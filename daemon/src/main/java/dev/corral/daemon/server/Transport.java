package dev.corral.daemon.server;

import io.netty.channel.Channel;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.socket.nio.NioChannelOption;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

/**
 * The Unix-socket transport: Netty's native epoll where it loads (Linux), the JDK's own
 * Unix-domain NIO channels elsewhere. Both can tell who is on the other end of a connection.
 */
enum Transport {
    EPOLL {
        @Override
        IoHandlerFactory ioHandlerFactory() {
            return EpollIoHandler.newFactory();
        }

        @Override
        Class<? extends ServerChannel> serverChannel() {
            return EpollServerDomainSocketChannel.class;
        }

        @Override
        SocketAddress address(Path socket) {
            return new DomainSocketAddress(socket.toFile());
        }

        @Override
        Peer peer(Channel channel) throws IOException {
            var credentials = ((EpollDomainSocketChannel) channel).peerCredentials();
            return new Peer(credentials.uid() == OWN_UID, "uid " + credentials.uid(), "uid " + credentials.uid() + " pid " + credentials.pid());
        }
    },
    NIO {
        @Override
        IoHandlerFactory ioHandlerFactory() {
            return NioIoHandler.newFactory();
        }

        @Override
        Class<? extends ServerChannel> serverChannel() {
            return NioServerDomainSocketChannel.class;
        }

        @Override
        SocketAddress address(Path socket) {
            return UnixDomainSocketAddress.of(socket);
        }

        @Override
        Peer peer(Channel channel) {
            UnixDomainPrincipal principal =
                    channel.config().getOption(NioChannelOption.of(ExtendedSocketOptions.SO_PEERCRED));
            String user = principal.user().getName();
            return new Peer(user.equals(System.getProperty("user.name")), "user " + user, "user " + user);
        }
    };

    private static final int OWN_UID = dev.corral.daemon.DaemonPaths.currentUid();

    /** Who connected ({@code user}: its uid or name, {@code description}: with its pid), and whether it is the daemon's user. */
    record Peer(boolean sameUser, String user, String description) {}

    abstract IoHandlerFactory ioHandlerFactory();

    abstract Class<? extends ServerChannel> serverChannel();

    abstract SocketAddress address(Path socket);

    abstract Peer peer(Channel channel) throws IOException;

    static Transport best() {
        return Epoll.isAvailable() ? EPOLL : NIO;
    }
}
