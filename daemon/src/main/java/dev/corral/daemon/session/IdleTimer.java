package dev.corral.daemon.session;

import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A session's {@link Session.Status} from its output: active while it writes, idle after
 * {@code idleAfter} of quiet, needs-input while its agent's watcher says the screen waits for a
 * person. One timer at most is pending, so a busy program costs one wake-up per idle time and a
 * quiet one none. Changes are told to the listener under this object's lock, in order.
 */
final class IdleTimer {
    private final Session session;
    private final SessionListener listener;
    private final ScheduledExecutorService timers;
    private final long idleAfter;
    private long lastOutputNanos = System.nanoTime();
    private Session.Status status = Session.Status.ACTIVE;
    /** Starting counts as running, as for {@link Session#running}. */
    private boolean running = true;
    private boolean inputWanted;
    private ScheduledFuture<?> timer;

    IdleTimer(Session session, SessionListener listener, ScheduledExecutorService timers, Duration idleAfter) {
        this.session = session;
        this.listener = listener;
        this.timers = timers;
        this.idleAfter = idleAfter.toNanos();
    }

    synchronized Session.Status status() {
        return status;
    }

    /** The program runs: a program that has written nothing yet counts as active from its creation. */
    synchronized void start() {
        if (running && timer == null) {
            arm(idleAfter - (System.nanoTime() - lastOutputNanos));
        }
    }

    /** Output makes the program active; the one timer is armed only if none is pending. */
    synchronized void outputSeen() {
        lastOutputNanos = System.nanoTime();
        if (status == Session.Status.IDLE || (status == Session.Status.NEEDS_INPUT && !inputWanted)) {
            change(Session.Status.ACTIVE);
        }
        if (status == Session.Status.ACTIVE && timer == null && running) {
            arm(idleAfter);
        }
    }

    /** See {@link Session#inputWanted}. */
    synchronized void inputWanted(boolean wanted) {
        inputWanted = wanted;
        if (!running) {
            return;
        }
        if (wanted && status != Session.Status.NEEDS_INPUT) {
            change(Session.Status.NEEDS_INPUT);
        } else if (!wanted && status == Session.Status.NEEDS_INPUT) {
            change(Session.Status.ACTIVE);
            if (timer == null) {
                arm(idleAfter - (System.nanoTime() - lastOutputNanos));
            }
        }
    }

    /** The program ended: exited from now on; returns the status before (the caller tells the listener). */
    synchronized Session.Status ended() {
        Session.Status before = status;
        status = Session.Status.EXITED;
        running = false;
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        return before;
    }

    private synchronized void check() {
        timer = null;
        if (status != Session.Status.ACTIVE || !running) {
            return;
        }
        long quiet = System.nanoTime() - lastOutputNanos;
        if (quiet >= idleAfter) {
            change(Session.Status.IDLE);
        } else {
            arm(idleAfter - quiet);
        }
    }

    private void arm(long delayNanos) {
        try {
            timer = timers.schedule(this::check, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            timer = null; // the daemon is stopping
        }
    }

    private void change(Session.Status next) {
        Session.Status previous = status;
        status = next;
        listener.statusChanged(session, previous, next);
    }
}
