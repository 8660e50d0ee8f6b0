package dev.corral.daemon.screen;

/**
 * The terminal modes a program has set, as a client needs them to keep working: the alternate
 * screen, cursor keys and keypad (DECCKM, DECKPAM), bracketed paste (2004), mouse reporting
 * ({@code off}, {@code press} 1000, {@code drag} 1002, {@code motion} 1003) and its encoding
 * ({@code default}, {@code utf8} 1005, {@code sgr} 1006, {@code urxvt} 1015), focus events (1004),
 * cursor visibility (DECTCEM) and style (DECSCUSR 0-6), origin (DECOM), autowrap (DECAWM),
 * insert (IRM) and newline (LNM) modes.
 */
public record Modes(
        boolean alternateScreen,
        boolean applicationCursor,
        boolean applicationKeypad,
        boolean bracketedPaste,
        String mouse,
        String mouseEncoding,
        boolean focusEvents,
        boolean cursorVisible,
        int cursorStyle,
        boolean originMode,
        boolean autowrap,
        boolean insert,
        boolean newline) {}
