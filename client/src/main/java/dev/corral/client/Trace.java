package dev.corral.client;

import java.time.Instant;

/**
 * Start-up probes for bench/README.md's breakdown: with {@code CORRAL_TRACE} set, each mark
 * prints one line on stderr, {@code corral-trace NAME MS}, the milliseconds since bin/corral
 * began (its {@code $EPOCHREALTIME}, passed as CORRAL_TRACE_T0). Off, a mark is one static read.
 */
final class Trace {
    private static final boolean ON = System.getenv("CORRAL_TRACE") != null;
    private static final double T0 = ON ? parse(System.getenv("CORRAL_TRACE_T0")) : 0;

    private Trace() {}

    private static boolean first = true;

    static void mark(String name) {
        if (ON) {
            if (first) {
                first = false;
                String exec = System.getenv("CORRAL_TRACE_EXEC");
                if (exec != null) {
                    System.err.println("corral-trace launcher-exec " + Math.round((parse(exec) - T0) * 10000) / 10.0);
                }
            }
            Instant now = Instant.now();
            double ms = (now.getEpochSecond() + now.getNano() / 1e9 - T0) * 1000;
            System.err.println("corral-trace " + name + " " + Math.round(ms * 10) / 10.0);
        }
    }

    static boolean on() {
        return ON;
    }

    private static double parse(String t0) {
        try {
            return Double.parseDouble(t0);
        } catch (RuntimeException e) {
            return 0;
        }
    }
}
