package dev.corral.daemon.terminal;

import com.sun.jna.Library;
import com.sun.jna.Native;

/** The two C calls Netty's epoll glue cannot make: a descriptor's flags, and pidfd_open(2). */
interface LibC extends Library {
    LibC C = Native.load("c", LibC.class);
    int F_GETFL = 3;
    int F_SETFL = 4;
    int O_NONBLOCK = 04000;
    /** pidfd_open(2) has this number on every Linux architecture (one table for new calls since 5.1). */
    long SYS_PIDFD_OPEN = 434;
    int ESRCH = 3;

    int fcntl(int fd, int cmd, int arg);

    int syscall(long number, int pid, int flags);
}
