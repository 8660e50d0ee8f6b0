package dev.corral.client;

/** The client's exit statuses, exactly as the CLI contract lists them. */
final class Exit {
    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;
    static final int NO_SUCH_SESSION = 3;
    static final int CONFLICT = 4;
    static final int UNREACHABLE = 5;
    /** attach and wait, like docker run: the wait timed out. */
    static final int TIMED_OUT = 124;
    /** attach and wait, like docker run: corral itself failed. */
    static final int CORRAL_FAILED = 125;

    private Exit() {}
}
