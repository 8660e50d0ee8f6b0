package dev.corral.daemon.terminal;

import com.sun.jna.Native;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.unix.FileDescriptor;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hears a process's exit on an epoll loop: its pidfd (Linux 5.3+) turns readable when it exits,
 * so no thread waits for it. Without pidfd, {@link ProcessHandle#onExit} is asked instead (the
 * JDK then keeps a thread per process).
 */
final class ExitWatch implements EpollIoHandle {
    private static final Logger log = LoggerFactory.getLogger(ExitWatch.class);

    private final FileDescriptor pidfd;
    private final String label;
    private final Runnable exited;

    private ExitWatch(FileDescriptor pidfd, String label, Runnable exited) {
        this.pidfd = pidfd;
        this.label = label;
        this.exited = exited;
    }

    /** Runs {@code exited} (on {@code loop} when a pidfd is there; from any thread otherwise) once {@code pid} has exited. */
    static void start(IoEventLoop loop, int pid, String label, Runnable exited) {
        int fd = LibC.C.syscall(LibC.SYS_PIDFD_OPEN, pid, 0);
        if (fd >= 0) {
            ExitWatch watch = new ExitWatch(new FileDescriptor(fd), label, exited);
            loop.register(watch).addListener(registered -> {
                if (registered.isSuccess()) {
                    ((IoRegistration) registered.getNow()).submit(EpollIoOps.EPOLLIN);
                } else {
                    watch.close();
                    exited.run();
                }
            });
        } else if (Native.getLastError() == LibC.ESRCH) {
            exited.run(); // already gone (and reaped)
        } else {
            ProcessHandle.of(pid).ifPresentOrElse(
                    handle -> handle.onExit().whenComplete((gone, failure) -> exited.run()), exited);
        }
    }

    @Override
    public FileDescriptor fd() {
        return pidfd;
    }

    @Override
    public void handle(IoRegistration registration, IoEvent event) {
        registration.cancel();
        close();
        exited.run();
    }

    @Override
    public void close() {
        try {
            pidfd.close();
        } catch (IOException e) {
            log.debug("closing the pidfd of {}: {}", label, e.toString());
        }
    }
}
