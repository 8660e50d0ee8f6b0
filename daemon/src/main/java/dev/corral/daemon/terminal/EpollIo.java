package dev.corral.daemon.terminal;

import com.pty4j.unix.UnixPtyProcess;
import com.sun.jna.Native;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoEventLoopGroup;
import io.netty.channel.IoRegistration;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoEvent;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.unix.FileDescriptor;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PTY master on the PTY event loop: the descriptor, made non-blocking, joins Netty's epoll
 * loop as an {@link EpollIoHandle}; output is read into pooled direct buffers that go to the
 * clients as they are (see {@link Buffers}); input is written from the caller's thread (a
 * client's event loop) and, when the terminal does not take it all, queued and written on
 * EPOLLOUT. The sink asking to stop takes EPOLLIN out of the interest set, so a program whose
 * clients are all behind waits in the kernel, as on a slow terminal.
 *
 * <p>The exit: a pidfd (Linux 5.3+) of the process joins the same loop and turns readable when
 * the process exits, so no thread of ours waits for it; the status is then pty4j's, whose own
 * reaper thread ({@code PtyProcess Reaper}, one per process, blocked in {@code waitpid}) is what
 * pty4j still needs. Without pidfd, {@link ProcessHandle#onExit} is asked (a JDK thread per
 * process). Once the process has exited, what is left on the terminal is read and the sink
 * hears the status.
 *
 * <p>Threads: everything but {@link #write} and {@link #resume} runs on the terminal's loop.
 */
final class EpollIo implements EpollIoHandle, Pty.Io {
    private static final Logger log = LoggerFactory.getLogger(EpollIo.class);
    /** Reads per wake-up before other terminals on the loop get their turn. */
    private static final int READS_PER_WAKE = 4;
    /** What is read after the exit, at most (a background child may keep the terminal and write on). */
    private static final int DRAIN_AFTER_EXIT = 1024 * 1024;
    /** A read this short is copied into a buffer of its size, so a queue of keystroke echoes holds no 16 KiB buffers. */
    private static final int COPY_BELOW = Pty.READ_CHUNK / 2;
    private static final int EPOLLHUP = 0x10;
    private static final ByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;
    private static final ThreadLocal<byte[]> SCRATCH = ThreadLocal.withInitial(() -> new byte[Pty.READ_CHUNK]);
    private static final ThreadLocal<ByteBuffer> INPUT_SCRATCH = ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(4096));

    /** The PTY event loop, one thread for every terminal, made at the first start. */
    private static final class Loops {
        static final IoEventLoopGroup GROUP = new MultiThreadIoEventLoopGroup(1,
                new DefaultThreadFactory("corral-pty", true), EpollIoHandler.newFactory());
    }

    private final String label;
    private final UnixPtyProcess process;
    private final FileDescriptor fd;
    private final Pty.Sink sink;
    private final IoEventLoop loop;
    /** Queued input, oldest first; guarded by itself (written from clients' loops, drained on this loop). */
    private final ArrayDeque<ByteBuffer> input = new ArrayDeque<>();
    private boolean inputClosed;
    private volatile boolean wantsOut;
    // The loop's own:
    private IoRegistration registration;
    private EpollIoOps interest = EpollIoOps.NONE;
    private boolean paused;
    private boolean outputEnded;
    private boolean finished;
    /** How often the descriptor had to join the loop again (epoll_ctl said it was not in the set). */
    private int rejoins;

    private EpollIo(String label, UnixPtyProcess process, int master, Pty.Sink sink, IoEventLoop loop) {
        this.label = label;
        this.process = process;
        this.fd = new FileDescriptor(master);
        this.sink = sink;
        this.loop = loop;
    }

    static boolean usable() {
        return Epoll.isAvailable();
    }

    static String whyNot() {
        Throwable cause = Epoll.unavailabilityCause();
        return cause == null ? "epoll not chosen" : "epoll unavailable: " + cause.getMessage();
    }

    static EpollIo start(String label, UnixPtyProcess process, Pty.Sink sink) throws IOException {
        int master = process.getPty().getMasterFD();
        int flags = LibC.C.fcntl(master, LibC.F_GETFL, 0);
        if (flags < 0 || LibC.C.fcntl(master, LibC.F_SETFL, flags | LibC.O_NONBLOCK) < 0) {
            process.destroyForcibly();
            throw new IOException("cannot make the terminal of " + label + " non-blocking (fcntl, errno " + Native.getLastError() + ")");
        }
        EpollIo io = new EpollIo(label, process, master, sink, (IoEventLoop) Loops.GROUP.next());
        io.loop.register(io).addListener(registered -> {
            if (registered.isSuccess()) {
                io.registration = (IoRegistration) registered.getNow();
                io.updateInterest();
            } else {
                log.error("the terminal of {} could not join the PTY event loop: {}", label, registered.cause().toString());
                io.outputEnded = true;
            }
        });
        ExitWatch.start(io.loop, (int) process.pid(), label, () -> io.onLoop(io::exitSeen));
        return io;
    }

    @Override
    public FileDescriptor fd() {
        return fd;
    }

    @Override
    public void handle(IoRegistration registration, IoEvent event) {
        EpollIoOps ops = ((EpollIoEvent) event).ops();
        if (ops.contains(EpollIoOps.EPOLLOUT)) {
            flushInput();
        }
        if (ops.contains(EpollIoOps.EPOLLIN) || ops.contains(EpollIoOps.EPOLLERR) || (ops.value() & EPOLLHUP) != 0) {
            for (int i = 0; i < READS_PER_WAKE && !paused && !outputEnded; i++) {
                if (readOnce() <= 0) {
                    break;
                }
            }
        }
        updateInterest();
    }

    /** One read into a pooled direct buffer, handed to the sink; returns the bytes read, 0 if none, -1 at the end. */
    private int readOnce() {
        ByteBuf buffer = ALLOC.directBuffer(Pty.READ_CHUNK, Pty.READ_CHUNK);
        int n;
        try {
            ByteBuffer target = buffer.internalNioBuffer(0, Pty.READ_CHUNK);
            n = fd.read(target, target.position(), target.limit());
        } catch (IOException e) {
            // EIO: no one holds the terminal's other side any more.
            log.debug("{} output ended: {}", label, e.toString());
            n = -1;
        }
        if (n <= 0) {
            buffer.release();
            if (n < 0) {
                outputEnded = true;
            }
            return n;
        }
        buffer.writerIndex(n);
        if (n < COPY_BELOW) {
            ByteBuf small = ALLOC.directBuffer(n, n).writeBytes(buffer);
            buffer.release();
            buffer = small;
        }
        byte[] bytes = SCRATCH.get();
        buffer.getBytes(0, bytes, 0, n);
        Chunk chunk = new Buffers.Pooled(buffer);
        try {
            if (!sink.output(chunk, bytes, n)) {
                paused = true;
            }
        } catch (RuntimeException e) {
            log.error("bug: the output of {} could not be taken", label, e);
        } finally {
            chunk.release();
        }
        return n;
    }

    @Override
    public void resume() {
        onLoop(() -> {
            if (paused) {
                paused = false;
                updateInterest();
            }
        });
    }

    @Override
    public boolean write(ByteBuffer bytes) {
        synchronized (input) {
            if (inputClosed) {
                return false;
            }
            if (input.isEmpty()) {
                writeNow(bytes);
                if (!bytes.hasRemaining()) {
                    return true;
                }
            }
            if (input.size() >= Pty.INPUT_QUEUE) {
                return false;
            }
            input.add(ByteBuffer.allocate(bytes.remaining()).put(bytes).flip());
            if (!wantsOut) {
                wantsOut = true;
                onLoop(this::updateInterest);
            }
            return true;
        }
    }

    /** Writes what the terminal takes now (never waits); the buffer's position moves past it. Under {@code input}. */
    private void writeNow(ByteBuffer bytes) {
        try {
            while (bytes.hasRemaining()) {
                int n;
                if (bytes.isDirect()) {
                    n = fd.write(bytes, bytes.position(), bytes.limit());
                } else {
                    ByteBuffer scratch = INPUT_SCRATCH.get().clear();
                    int length = Math.min(scratch.capacity(), bytes.remaining());
                    scratch.put(bytes.duplicate().limit(bytes.position() + length)).flip();
                    n = fd.write(scratch, 0, length);
                }
                if (n <= 0) {
                    return; // EAGAIN: the rest waits for EPOLLOUT
                }
                bytes.position(bytes.position() + n);
            }
        } catch (IOException e) {
            log.debug("input to {} failed: {}", label, e.toString());
            bytes.position(bytes.limit());
        }
    }

    private void flushInput() {
        synchronized (input) {
            while (!input.isEmpty()) {
                ByteBuffer head = input.peek();
                writeNow(head);
                if (head.hasRemaining()) {
                    return;
                }
                input.poll();
            }
            wantsOut = false;
        }
    }

    private void updateInterest() {
        if (registration == null || finished) {
            return;
        }
        if (outputEnded && !wantsOut) {
            // Nothing more to read or write (an ended terminal reports HUP whatever it is asked).
            registration.cancel();
            registration = null;
            return;
        }
        EpollIoOps ops = EpollIoOps.NONE;
        if (!paused && !outputEnded) {
            ops = ops.with(EpollIoOps.EPOLLIN);
        }
        if (wantsOut) {
            ops = ops.with(EpollIoOps.EPOLLOUT);
        }
        if (!ops.equals(interest)) {
            interest = ops;
            try {
                registration.submit(ops);
            } catch (Exception e) {
                // The descriptor is no longer in the loop's epoll set (epoll_ctl MOD: ENOENT, seen under heavy output):
                // join the loop again with the same interest rather than leave the terminal stalled for good.
                if (rejoins++ == 0) {
                    log.warn("the terminal of {} fell out of the PTY event loop ({}); joining it again (said once)", label,
                            e.toString());
                } else {
                    log.debug("the terminal of {} fell out of the PTY event loop again ({} times)", label, rejoins);
                }
                rejoin();
            }
        }
    }

    private void rejoin() {
        IoRegistration old = registration;
        registration = null;
        interest = EpollIoOps.NONE;
        try {
            old.cancel();
        } catch (Exception e) {
            log.debug("leaving the loop's epoll set for {}: {}", label, e.toString());
        }
        loop.register(this).addListener(registered -> {
            if (registered.isSuccess()) {
                registration = (IoRegistration) registered.getNow();
                updateInterest();
            } else {
                log.error("the terminal of {} could not join the PTY event loop again: {}", label, registered.cause().toString());
                outputEnded = true;
            }
        });
    }

    /** The process has exited: read what is left, then report the status. */
    private void exitSeen() {
        if (finished) {
            return;
        }
        int code;
        try {
            code = process.exitValue();
        } catch (IllegalThreadStateException e) {
            // The reaper completes its handlers one after the other; the process object hears it next.
            loop.schedule(this::exitSeen, 1, TimeUnit.MILLISECONDS);
            return;
        }
        for (int read = 0; read < DRAIN_AFTER_EXIT && !outputEnded; ) {
            int n = readOnce();
            if (n <= 0) {
                break;
            }
            read += n;
        }
        finished = true;
        if (registration != null) {
            registration.cancel();
            registration = null;
        }
        synchronized (input) {
            inputClosed = true;
            input.clear();
        }
        Pty.closeStreams(process);
        sink.ended(code);
    }

    private void onLoop(Runnable task) {
        try {
            loop.execute(task);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // The daemon is stopping with its loops.
        }
    }

    @Override
    public void close() {
        // Netty closes registered handles when the loop stops; the descriptors are pty4j's to close.
    }
}
