package dev.corral.daemon.command;

import dev.corral.daemon.screen.Modes;
import dev.corral.daemon.screen.Screen;
import dev.corral.daemon.screen.ScreenSnapshot;
import dev.corral.daemon.session.Session;
import dev.corral.daemon.session.Refusal;
import dev.corral.daemon.session.SessionRegistry;
import dev.corral.protocol.Op;
import dev.corral.protocol.args.ScreenArgs;
import java.util.List;

/**
 * What a session's terminal shows now, from its screen model ({@code corral screen}): the rows
 * as text (like {@code tmux capture-pane -p}), with {@code ansi} also each row with its SGR
 * attributes, plus the cursor, size, title and modes. The same for every kind of session.
 */
final class ScreenSession extends BoundOperation<ScreenArgs> {
    private final SessionRegistry sessions;

    ScreenSession(SessionRegistry sessions) {
        super(ScreenArgs.class);
        this.sessions = sessions;
    }

    /** The answer: {@code ansi} is null unless asked for. */
    record ScreenView(String name, int cols, int rows, List<String> lines, List<String> ansi, Cursor cursor,
            String title, Modes modes, long version) {}

    record Cursor(int x, int y, boolean visible) {}

    @Override
    public String name() {
        return Op.SCREEN;
    }

    @Override
    Reply serve(ScreenArgs args, Caller caller) throws Refusal {
        Session session = sessions.require(args.name());
        boolean ansi = args.ansi();
        Screen screen = session.screen();
        ScreenSnapshot snapshot;
        List<String> rows;
        synchronized (screen) {
            snapshot = screen.snapshot();
            rows = ansi ? screen.ansiRows() : null;
        }
        return Reply.ok(new ScreenView(session.name(), snapshot.cols(), snapshot.rows(), snapshot.lines(), rows,
                new Cursor(snapshot.cursorX(), snapshot.cursorY(), snapshot.modes().cursorVisible()), snapshot.title(),
                snapshot.modes(), snapshot.version()));
    }
}
